/**
 * The workspace sidecar's manifest: the Rust binary `skaffa-workspace`, its launch arguments
 * (taken from the app's launch options), and every method and event with the JSON Schemas in
 * `schema/` (events are checked on arrival like results).
 * Registering this manifest is all it takes to add the sidecar; nothing in `core/` or `registry/`
 * knows it exists. All methods are read-only, hence idempotent and safe to retry after a crash.
 */
import { defineSidecar, event, method, type JsonSchema, type LaunchOptions } from '../../registry/manifest';
import didChangeEvent from './schema/didChange.event.json';
import findFilesParams from './schema/findFiles.params.json';
import findFilesResult from './schema/findFiles.result.json';
import globParams from './schema/glob.params.json';
import globResult from './schema/glob.result.json';
import hashesParams from './schema/hashes.params.json';
import hashesPartial from './schema/hashes.partial.json';
import hashesResult from './schema/hashes.result.json';
import indexProgressEvent from './schema/indexProgress.event.json';
import listDirParams from './schema/listDir.params.json';
import listDirResult from './schema/listDir.result.json';
import readFileParams from './schema/readFile.params.json';
import readFileResult from './schema/readFile.result.json';
import searchParams from './schema/search.params.json';
import searchPartial from './schema/search.partial.json';
import searchResult from './schema/search.result.json';
import statParams from './schema/stat.params.json';
import statResult from './schema/stat.result.json';
import statusParams from './schema/status.params.json';
import statusResult from './schema/status.result.json';
import type * as T from './types';

/** Launch options the workspace sidecar reads. */
export interface WorkspaceLaunchOptions extends LaunchOptions {
  /** The folder to index (required). */
  workspaceRoot?: string;
  /** Extra gitignore-style globs to leave out of the index. */
  workspaceExclude?: string[];
  /** Index files that .gitignore/.ignore would hide. */
  workspaceNoIgnore?: boolean;
  /** Largest file `readFile` returns, in bytes (default 50 MiB). */
  workspaceMaxFileSize?: number;
  /** At most this many OS watches (Linux); past it status reports `watchLimit` and changes arrive by periodic rescans. */
  workspaceMaxWatches?: number;
  /**
   * Folder for the index's snapshot, so a restart answers at once (one subfolder per root is made
   * under it); unset: no snapshot. `WorkspaceHost` passes the platform's cache folder by default.
   */
  workspaceCacheDir?: string;
}

/** Requests that may first wait for the initial index get a long default timeout. */
const INDEXED_TIMEOUT_MS = 120_000;

/** Every workspace method only reads, so all are idempotent (retried once after a crash). */
function readOnly<P, R>(params: JsonSchema, result: JsonSchema, timeoutMs = INDEXED_TIMEOUT_MS) {
  return method<P, R>({ params, result, timeoutMs, idempotent: true });
}

export const workspaceManifest = defineSidecar({
  name: 'workspace',
  description: 'gitignore-aware, watched file index: read, stat, content hashes, glob, fuzzy find and content search',
  // SCAFFA_SIDECAR_PATH is the override name of the original design; SKAFFA_SIDECAR_WORKSPACE_PATH works too.
  binary: { name: 'skaffa-workspace', envOverrides: ['SCAFFA_SIDECAR_PATH'] },
  launch: (options: WorkspaceLaunchOptions) => {
    if (!options.workspaceRoot) throw new Error('the workspace sidecar needs launch option "workspaceRoot"');
    const args = ['--root', options.workspaceRoot];
    for (const glob of options.workspaceExclude ?? []) args.push('--exclude', glob);
    if (options.workspaceNoIgnore) args.push('--no-ignore');
    if (options.workspaceMaxFileSize !== undefined) args.push('--max-file-size', String(options.workspaceMaxFileSize));
    if (options.workspaceMaxWatches !== undefined) args.push('--max-watches', String(options.workspaceMaxWatches));
    if (options.workspaceCacheDir) args.push('--cache-dir', options.workspaceCacheDir);
    return { args };
  },
  // On `$/shutdown` the sidecar writes what changed since its last snapshot (with --cache-dir): it
  // reads every file's key and writes about 60 bytes per file, a second or two at a million files,
  // so it gets longer than the default 2 s before SIGTERM, which would lose that snapshot.
  supervisor: { shutdownGraceMs: 10_000 },
  methods: {
    // Status answers at once, even while the first scan runs.
    'workspace/status': readOnly<T.StatusParams, T.StatusResult>(statusParams, statusResult, 10_000),
    'workspace/readFile': readOnly<T.ReadFileParams, T.ReadFileResult>(readFileParams, readFileResult),
    'workspace/stat': readOnly<T.StatParams, T.StatResult>(statParams, statResult),
    'workspace/listDir': readOnly<T.ListDirParams, T.ListDirResult>(listDirParams, listDirResult),
    'workspace/glob': readOnly<T.GlobParams, T.GlobResult>(globParams, globResult),
    'workspace/findFiles': readOnly<T.FindFilesParams, T.FindFilesResult>(findFilesParams, findFilesResult),
    // Streams: chunks of lines, already in (path, line) order; see schema/search.partial.json.
    'workspace/search': method<T.SearchParams, T.SearchResult, T.SearchPartial>({
      params: searchParams,
      result: searchResult,
      partial: searchPartial,
      timeoutMs: INDEXED_TIMEOUT_MS,
      idempotent: true,
    }),
    // Streams: chunks of entries in request order, a hash or a per-path error each; see schema/hashes.partial.json.
    'workspace/hashes': method<T.HashesParams, T.HashesResult, T.HashesPartial>({
      params: hashesParams,
      result: hashesResult,
      partial: hashesPartial,
      timeoutMs: INDEXED_TIMEOUT_MS,
      idempotent: true,
    }),
  },
  events: {
    // A batch of changes the watcher applied to the index.
    'workspace/didChange': event<T.DidChangeEvent>(didChangeEvent),
    // Files found so far, while the first scan runs.
    'workspace/indexProgress': event<T.IndexProgressEvent>(indexProgressEvent),
  },
});

/** Event names the workspace sidecar sends (the keys of the manifest's `events`). */
export const WorkspaceEvents = {
  didChange: 'workspace/didChange',
  indexProgress: 'workspace/indexProgress',
} as const satisfies Record<string, keyof NonNullable<(typeof workspaceManifest)['events']>>;
