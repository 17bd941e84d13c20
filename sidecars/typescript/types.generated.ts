/**
 * Wire types of the typescript sidecar, generated from schema/*.json by `npm run gen:types`: do not edit.
 * Change the schemas (their `description`s become these comments) and run it again.
 */

/**
 * What happened to the path.
 */
export type ChangeType = 'created' | 'changed' | 'deleted';

/**
 * 'local': a declaration or 'export { a as b }' of something declared here; 'reexport': 'export { a as b } from'; 'namespace': 'export * as ns from'; 'default'; 'assignment': 'export ='.
 */
export type ExportKind = 'local' | 'reexport' | 'namespace' | 'default' | 'assignment';

/**
 * How the module is requested: a static import, a type-only import, an 'export … from', 'import x = require(…)', 'import("…")' with a string literal, or 'require("…")' with one string literal.
 */
export type ImportKind = 'import' | 'import-type' | 'export-from' | 'import-equals' | 'dynamic' | 'require';

/**
 * What kind of declaration a symbol is ('component': a function or class that returns JSX).
 */
export type SymbolKind =
  | 'function'
  | 'component'
  | 'class'
  | 'method'
  | 'property'
  | 'constructor'
  | 'interface'
  | 'typeAlias'
  | 'enum'
  | 'enumMember'
  | 'variable'
  | 'constant'
  | 'namespace';

export interface ComponentsParams {
  /**
   * Matched against component names as typescript/symbols matches (default: all).
   */
  query?: string;
  /**
   * Only the components of this TS/JS file.
   */
  path?: string;
  /**
   * Most components to return (default 100).
   */
  limit?: number;
}

/**
 * React components.
 */
export interface ComponentsResult {
  /**
   * Best match first, exported before not.
   */
  components: Component[];
}

/**
 * A capitalised function whose body has JSX, or a capitalised class whose render method does.
 */
export interface Component {
  /**
   * The component's name.
   */
  name: string;
  /**
   * Workspace-relative path with '/' separators.
   */
  path: string;
  range: Range;
  /**
   * Whether the file exports it.
   */
  exported: boolean;
  /**
   * From the props parameter's type (inline type literal, local interface or type alias, or the first type argument of the variable's annotation such as FC<Props>), else from its destructuring; empty for classes.
   */
  props: ComponentProp[];
}

/**
 * A half-open range between two positions.
 */
export interface Range {
  start: Position;
  end: Position;
}

/**
 * A position as LSP counts it.
 */
export interface Position {
  /**
   * 0-based line.
   */
  line: number;
  /**
   * 0-based offset in UTF-16 code units within the line (as LSP).
   */
  character: number;
}

/**
 * One prop.
 */
export interface ComponentProp {
  /**
   * The prop's name.
   */
  name: string;
  /**
   * '?' in its type, or a default in the destructuring.
   */
  optional: boolean;
  /**
   * Its type as written, when the props have a type.
   */
  type?: string;
}

/**
 * Exactly the payload of the workspace sidecar's workspace/didChange event, forwarded by main: the TS/JS files in it are re-read and re-parsed, a tsconfig/jsconfig/package.json/pnpm-workspace.yaml change re-resolves every import, reverse edges follow, then typescript/didUpdate is sent.
 */
export interface DidChangeParams {
  /**
   * The index generation after this batch was applied.
   */
  generation: number;
  /**
   * Sorted by path; a rename is 'deleted' (old) plus 'created' (new).
   */
  changes: FileChange[];
  /**
   * Present (true) when the batch came from a rescan (after the OS dropped events, or a periodic rescan while watches are limited): 'changes' is then the difference the rescan found.
   */
  rescan?: boolean;
}

/**
 * One changed path.
 */
export interface FileChange {
  /**
   * Workspace-relative path with '/' separators.
   */
  path: string;
  type: ChangeType;
}

/**
 * The batch is applied.
 */
export interface DidChangeResult {
  /**
   * How many changes of the batch were applied.
   */
  applied: number;
}

/**
 * Payload of the typescript/didUpdate event: one applied batch (from typescript/didChange or typescript/resync).
 */
export interface DidUpdateEvent {
  /**
   * This sidecar's update counter after the batch.
   */
  generation: number;
  /**
   * Sorted: the TS/JS files whose summary or resolved imports changed.
   *
   * Items: Workspace-relative path with '/' separators.
   */
  paths: string[];
}

export interface ExportsParams {
  /**
   * Workspace-relative path with '/' separators of a TS/JS file.
   */
  path: string;
}

/**
 * A file's exported names. CommonJS 'module.exports' assignments are not listed. Errors as typescript/outline.
 */
export interface ExportsResult {
  /**
   * The normalized path.
   */
  path: string;
  /**
   * In source order.
   */
  exports: ExportItem[];
  /**
   * In source order.
   */
  stars: ExportStar[];
}

/**
 * One exported name.
 */
export interface ExportItem {
  /**
   * The exported name: 'default' for a default export, '=' for 'export ='.
   */
  name: string;
  kind: ExportKind;
  range?: Range;
  /**
   * The specifier it is re-exported from.
   */
  from?: string;
  /**
   * 'export type', 'export { type X }', or an interface or type alias.
   */
  typeOnly: boolean;
}

/**
 * One 'export * from' (its names are not listed in exports).
 */
export interface ExportStar {
  /**
   * The specifier of 'export * from'.
   */
  specifier: string;
  /**
   * The workspace path it resolves to, or null.
   */
  resolved: string | null;
}

export interface ImportersParams {
  /**
   * Workspace-relative path with '/' separators of any workspace file (a stylesheet or JSON file can be imported too).
   */
  path: string;
  /**
   * Also the importers of the importers, and so on (default false).
   */
  transitive?: boolean;
}

/**
 * The reverse edges of the import graph. Errors: OUTSIDE_WORKSPACE, NOT_FOUND.
 */
export interface ImportersResult {
  /**
   * The normalized path.
   */
  path: string;
  /**
   * Direct edges first (by importer path), then, when transitive, edges further out breadth-first.
   */
  importers: Importer[];
}

/**
 * One import edge into the file (a file importing it twice gives two).
 */
export interface Importer {
  /**
   * The importing file.
   */
  path: string;
  /**
   * The specifier it imports with.
   */
  specifier: string;
  kind: ImportKind;
  /**
   * For a transitive answer: the file this edge imports, when it is not the requested one.
   */
  via?: string;
}

export interface ImportsParams {
  /**
   * Workspace-relative path with '/' separators of a TS/JS file.
   */
  path: string;
}

/**
 * A file's imports with where each leads. Errors as typescript/outline.
 */
export interface ImportsResult {
  /**
   * The normalized path.
   */
  path: string;
  /**
   * In source order.
   */
  imports: ImportItem[];
}

/**
 * One module request, in source order.
 */
export interface ImportItem {
  /**
   * The module specifier as written (unescaped).
   */
  specifier: string;
  kind: ImportKind;
  /**
   * Imported names when the syntax names them: 'default', '*' or the imported (not local) name.
   */
  names?: string[];
  /**
   * The workspace path it resolves to, or null (external, or unresolvable).
   */
  resolved: string | null;
  /**
   * True for a package outside the root or in node_modules, a Node built-in, and an unresolved bare specifier.
   */
  external: boolean;
  range: Range;
}

export interface OutlineParams {
  /**
   * Workspace-relative path with '/' separators of a TS/JS file.
   */
  path: string;
}

/**
 * One file's outline. Errors: OUTSIDE_WORKSPACE, NOT_FOUND, NOT_ANALYZED (a workspace file that is not TS/JS, or is over 1 MiB).
 */
export interface OutlineResult {
  /**
   * The normalized path.
   */
  path: string;
  /**
   * Top-level declarations in source order, with their members.
   */
  symbols: DocumentSymbol[];
  /**
   * Errors of the latest parse; empty when it parsed cleanly.
   */
  diagnostics: ParseDiagnostic[];
  /**
   * True when the latest parse failed: symbols are then the last good summary (or, if there never was one, what error recovery found).
   */
  stale: boolean;
}

/**
 * One declaration of the outline (LSP DocumentSymbol shape plus 'exported').
 */
export interface DocumentSymbol {
  /**
   * The declared name ('default' for an anonymous default export; a quoted name for 'declare module "x"').
   */
  name: string;
  kind: SymbolKind;
  range: Range;
  selectionRange: Range;
  /**
   * Whether the file (or, inside a namespace, the namespace) exports it.
   */
  exported: boolean;
  /**
   * Members: class, interface and enum members, namespace contents.
   */
  children?: DocumentSymbol[];
}

/**
 * One parser error.
 */
export interface ParseDiagnostic {
  /**
   * The parser's message.
   */
  message: string;
  range: Range;
}

/**
 * No params: re-walks the root and applies the difference from what the index holds (by size and mtime), as one batch. Main calls it when either sidecar restarts, on a rescan batch, or on a generation gap.
 */
export interface ResyncParams {}

/**
 * The index matches the workspace again.
 */
export interface ResyncResult {
  /**
   * How many paths differed (created, changed or deleted).
   */
  changed: number;
}

/**
 * No params.
 */
export interface StatusParams {}

/**
 * Counts of the analysis index; answered at once, also while indexing.
 */
export interface StatusResult {
  /**
   * 'indexing' while the first build runs (symbols then answers from the files parsed so far).
   */
  state: 'indexing' | 'ready';
  /**
   * TS/JS files in the workspace (.ts .tsx .mts .cts .js .jsx .mjs .cjs), parsed or not.
   */
  files: number;
  /**
   * Files with a summary (including stale ones).
   */
  parsed: number;
  /**
   * Files whose latest parse had errors (their summary is the last good one, or a recovered one).
   */
  failed: number;
  /**
   * Files over 1 MiB, not parsed.
   */
  skipped: number;
  /**
   * Symbols in every summary, members included.
   */
  symbols: number;
  /**
   * Import edges that resolve to a workspace file.
   */
  edges: number;
  /**
   * This sidecar's update counter: 1 after the first build, +1 per applied didChange or resync.
   */
  generation: number;
}

export interface SymbolsParams {
  /**
   * Matched against names: exact, then exact ignoring case, prefix, substring, then the query's characters in order. '' matches everything.
   */
  query: string;
  /**
   * Most symbols to return (default 100).
   */
  limit?: number;
  /**
   * Only symbols of these kinds.
   */
  kinds?: SymbolKind[];
}

/**
 * A chunk of a streamed typescript/symbols while the first build runs: the matches among the files parsed so far, ranked among themselves.
 */
export interface SymbolsPartial {
  /**
   * Best first: by match tier, then top-level before members, exported before not, shorter names first, then path.
   */
  symbols: WorkspaceSymbol[];
  /**
   * True: the chunk was searched while indexing.
   */
  indexing?: boolean;
}

/**
 * One matching declaration.
 */
export interface WorkspaceSymbol {
  /**
   * The declared name.
   */
  name: string;
  kind: SymbolKind;
  /**
   * Workspace-relative path with '/' separators.
   */
  path: string;
  range: Range;
  /**
   * The enclosing declaration's name, for a member.
   */
  containerName?: string;
  /**
   * Whether it is exported (from the file, or from its namespace).
   */
  exported: boolean;
}

/**
 * Workspace symbols. Streamed while indexing: one chunk with the matches in the files parsed so far (indexing: true), then the matches in the rest as the final result.
 */
export interface SymbolsResult {
  /**
   * Best first: by match tier, then top-level before members, exported before not, shorter names first, then path.
   */
  symbols: WorkspaceSymbol[];
  /**
   * Present (true) when the first build was still running: only the files parsed so far were searched.
   */
  indexing?: boolean;
}
