/**
 * `WorkspaceAPI`: the only way extensions reach workspace files. Main serves it and delegates to
 * the workspace sidecar; the renderer and extensions never talk to a sidecar themselves. It is
 * read-only on purpose: every workspace write stays in main, outside this API.
 */
import type { InjectionToken } from 'tsyringe';
import type { Disposable } from '../../../core/events';
import type { ResultStream } from '../../../core/result-stream';
import type { PartialOf } from '../../../registry/manifest';
import type { workspaceManifest } from '../manifest';
import type * as T from '../types';

/**
 * The chunk type of a streamed workspace method, from its manifest entry: `never` (the loop
 * yields nothing and the final result holds everything) until the manifest declares the
 * method's partial schema and the sidecar streams it.
 */
export type WorkspaceChunk<K extends keyof (typeof workspaceManifest)['methods']> = PartialOf<(typeof workspaceManifest)['methods'], K>;

/** Options every call accepts. */
export interface WorkspaceCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Options of `findFiles`, beside the call options (see `schema/findFiles.params.json`). */
export type FindFilesOptions = Omit<T.FindFilesParams, 'query'>;

/** A batch of changes delivered to a `watch` listener, already filtered by its globs. */
export interface WorkspaceChangeEvent {
  generation: number;
  changes: T.FileChange[];
  /** The OS dropped events and the sidecar rescanned; the changes are what it found. */
  rescan: boolean;
}

/** Read-only access to one workspace folder. */
export interface WorkspaceAPI {
  /** Absolute path of the workspace root. */
  getRoot(): string;
  status(options?: WorkspaceCallOptions): Promise<T.StatusResult>;
  readFile(path: string, options?: WorkspaceCallOptions & { encoding?: 'utf8' | 'base64'; maxBytes?: number }): Promise<T.ReadFileResult>;
  /** With `hash: true`, a regular file's answer carries its content hash (see `hashes`). */
  stat(path: string, options?: WorkspaceCallOptions & { hash?: boolean }): Promise<T.StatResult>;
  /**
   * The content hash (xxh3-128, lowercase hex, as `readFile` answers it) of each path, in the
   * order given, computed on all cores and cached under the racy rule (docs/workspace-sidecar.md).
   * A path that is missing, outside the workspace or not a file gets its own `error` entry
   * instead of failing the call.
   */
  hashes(paths: string[], options?: WorkspaceCallOptions): Promise<T.HashesResult>;
  /**
   * `hashes`, streamed, with the same rules as `searchStream`: chunks of entries in request order,
   * and the chunks' entries followed by `result.hashes` are exactly what `hashes` returns.
   */
  hashesStream(paths: string[], options?: WorkspaceCallOptions): ResultStream<WorkspaceChunk<'workspace/hashes'>, T.HashesResult>;
  listDir(path: string, options?: WorkspaceCallOptions): Promise<T.ListDirResult>;
  /**
   * Fuzzy file find, best first. While the first scan runs it answers at once from the files
   * found so far and says so with `result.indexing` (`{ filesSoFar }`); ask again (on
   * `workspace/indexProgress`, or once `status()` says `ready`) for the full answer, or pass
   * `waitForIndex: true` to wait for it. A restart with a cache folder answers from the snapshot
   * it loaded while the catch-up checks it, marked `indexing.unverified`.
   */
  findFiles(query: string, options?: WorkspaceCallOptions & FindFilesOptions): Promise<T.FindFilesResult>;
  /**
   * Sorted paths matching `include` and none of `exclude`. It waits for the first scan, but after
   * a restart with a cache folder it answers from the loaded snapshot while the catch-up checks it
   * (`indexing.unverified`), unless `waitForIndex: true`.
   */
  glob(include: string | string[], options?: WorkspaceCallOptions & Omit<T.GlobParams, 'include'>): Promise<T.GlobResult>;
  search(query: string, options?: WorkspaceCallOptions & Omit<T.SearchParams, 'query'>): Promise<T.SearchResult>;
  /**
   * `search`, streamed: chunks of matching lines as the sidecar finds them, then the final result
   * (`for await (const chunk of s) …; await s.result`). Chunks arrive already in the final
   * (path, line) order and are never taken back: the chunks' lines followed by `result.lines` are
   * exactly what `search` returns. Leaving the loop early or aborting `signal` cancels the search.
   */
  searchStream(
    query: string,
    options?: WorkspaceCallOptions & Omit<T.SearchParams, 'query'>,
  ): ResultStream<WorkspaceChunk<'workspace/search'>, T.SearchResult>;
  /**
   * `findFiles`, streamed, with the same rules as `searchStream`. The sidecar does not stream
   * fuzzy find (a partial answer is one call with `indexing`), so this yields no chunks and the
   * result is `findFiles`' answer.
   */
  findFilesStream(
    query: string,
    options?: WorkspaceCallOptions & FindFilesOptions,
  ): ResultStream<WorkspaceChunk<'workspace/findFiles'>, T.FindFilesResult>;
  /**
   * Calls `listener` with the changes whose paths match `glob` (one or more globs, matched against
   * workspace-relative `/` paths). All listeners share one sidecar subscription; dispose the result
   * to stop listening.
   */
  watch(glob: string | string[], listener: (event: WorkspaceChangeEvent) => void): Disposable;
}

/** DI token for the WorkspaceAPI. */
export const WorkspaceAPIToken: InjectionToken<WorkspaceAPI> = Symbol('skaffa.WorkspaceAPI');
