/**
 * `TypeScriptAPI`: code facts about a workspace's TS/TSX/JS files (outline, symbols, the import
 * graph, exports, React components), served by main from the typescript analysis sidecar. Like
 * `WorkspaceAPI` it is read-only and the only way extensions reach these facts; they never talk
 * to the sidecar. Positions are LSP's (0-based line, UTF-16 character); paths are
 * workspace-relative with `/`.
 */
import type { InjectionToken } from 'tsyringe';
import type { ResultStream } from '../../../core/result-stream';
import type * as T from '../types.generated';

/** Options every call accepts, as `WorkspaceAPI`'s calls do. */
export interface TypeScriptCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Options of `symbols` beside the call options (see `schema/symbols.params.json`). */
export type SymbolsOptions = Omit<T.SymbolsParams, 'query'>;

/** Options of `importers` beside the call options. */
export type ImportersOptions = Omit<T.ImportersParams, 'path'>;

/** Read-only code intelligence for one workspace folder. */
export interface TypeScriptAPI {
  /** Whether the first index is done, and counts of files, symbols and import edges. */
  status(options?: TypeScriptCallOptions): Promise<T.StatusResult>;
  /**
   * The file's symbols as LSP DocumentSymbols (JSX components included) and its parse
   * diagnostics. A file that no longer parses answers its last good outline with `stale: true`.
   */
  outline(path: string, options?: TypeScriptCallOptions): Promise<T.OutlineResult>;
  /**
   * Workspace symbols by fuzzy name, best first (exact and prefix matches first; top-level and
   * exported declarations above members of the same name). While the first index runs it
   * answers from the files parsed so far and says so with `indexing`.
   */
  symbols(query: string, options?: TypeScriptCallOptions & SymbolsOptions): Promise<T.SymbolsResult>;
  /**
   * `symbols`, streamed: while indexing, a chunk of the matches among the files parsed so far,
   * then the result with the rest; chunks followed by the result hold each match once.
   */
  symbolsStream(query: string, options?: TypeScriptCallOptions & SymbolsOptions): ResultStream<T.SymbolsPartial, T.SymbolsResult>;
  /** Every import of a file (static, type-only, export-from, import-equals, dynamic, require), resolved. */
  imports(path: string, options?: TypeScriptCallOptions): Promise<T.ImportsResult>;
  /** The files that import `path` (reverse edges), or with `transitive` everything that reaches it. */
  importers(path: string, options?: TypeScriptCallOptions & ImportersOptions): Promise<T.ImportersResult>;
  /** The names a file exports, and its `export * from` stars. */
  exports(path: string, options?: TypeScriptCallOptions): Promise<T.ExportsResult>;
  /** Function and class components that render JSX, with their props. */
  components(options?: TypeScriptCallOptions & T.ComponentsParams): Promise<T.ComponentsResult>;
}

/** DI token for the TypeScriptAPI. */
export const TypeScriptAPIToken: InjectionToken<TypeScriptAPI> = Symbol('skaffa.TypeScriptAPI');
