/**
 * `WorkspaceAPI`: the only way extensions reach workspace files. Main serves it and delegates to
 * the workspace sidecar; the renderer and extensions never talk to a sidecar themselves. It is
 * read-only on purpose: every workspace write stays in main, outside this API.
 */
import type { InjectionToken } from 'tsyringe';
import type { Disposable } from '../../../core/events';
import type * as T from '../types';

/** Options every call accepts. */
export interface WorkspaceCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

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
  stat(path: string, options?: WorkspaceCallOptions): Promise<T.StatResult>;
  listDir(path: string, options?: WorkspaceCallOptions): Promise<T.ListDirResult>;
  findFiles(query: string, options?: WorkspaceCallOptions & { limit?: number }): Promise<T.FindFilesResult>;
  glob(include: string | string[], options?: WorkspaceCallOptions & { exclude?: string[]; limit?: number }): Promise<T.GlobResult>;
  search(query: string, options?: WorkspaceCallOptions & Omit<T.SearchParams, 'query'>): Promise<T.SearchResult>;
  /**
   * Calls `listener` with the changes whose paths match `glob` (one or more globs, matched against
   * workspace-relative `/` paths). All listeners share one sidecar subscription; dispose the result
   * to stop listening.
   */
  watch(glob: string | string[], listener: (event: WorkspaceChangeEvent) => void): Disposable;
}

/** DI token for the WorkspaceAPI. */
export const WorkspaceAPIToken: InjectionToken<WorkspaceAPI> = Symbol('skaffa.WorkspaceAPI');
