/**
 * Wire types of the workspace sidecar, generated from schema/*.json by `npm run gen:types`: do not edit.
 * Change the schemas (their `description`s become these comments) and run it again.
 */

/**
 * What happened to the path.
 */
export type ChangeType = 'created' | 'changed' | 'deleted';

/**
 * One requested path's answer: its hash, or why it has none. One bad path never fails the whole call.
 */
export type HashEntry = PathHash | PathHashError;

/**
 * One match as [start, end): UTF-16 offsets in its whole line (what a JS string indexes).
 *
 * @minItems 2
 * @maxItems 2
 */
export type SearchRange = [number, number];

/**
 * Payload of the workspace/didChange event: one batch of changes, applied to the index. A batch of more than 10,000 changes arrives as several events in a row with the same generation, at most 10,000 changes each (a whole batch on one line could pass the protocol's line limit).
 */
export interface DidChangeEvent {
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
 * Fuzzy file-name search. While the first scan runs, the answer comes at once from the files found so far and says so (see findFiles.result 'indexing'), unless 'waitForIndex' is true.
 */
export interface FindFilesParams {
  query: string;
  /**
   * At most this many matches (default 50).
   */
  limit?: number;
  /**
   * Wait for the first scan to finish and answer from the whole index (never with 'indexing'). Default false: answer at once from what the scan has found so far.
   */
  waitForIndex?: boolean;
}

export interface FindFilesResult {
  /**
   * Best first.
   */
  matches: FuzzyMatch[];
  indexing?: Indexing;
}

/**
 * One file whose path matches the query.
 */
export interface FuzzyMatch {
  /**
   * Workspace-relative path with '/' separators.
   */
  path: string;
  /**
   * Higher is better; comparable within one query only.
   */
  score: number;
  /**
   * UTF-16 indices of the matched characters in 'path', ascending, for highlighting.
   */
  positions: number[];
}

/**
 * Present only on an answer given before the index was ready: while the first scan was still running ('matches' are then the best among the files found so far, ranked exactly as the whole index would rank those files, same scores, ties by path, and a later call may find better ones), or, with 'unverified', while a snapshot loaded from the cache folder was being checked against the disk. Absent once the index is ready (status 'ready'), and always with 'waitForIndex'.
 */
export interface Indexing {
  /**
   * How many files the scan had found when the answer was computed (the candidates it was chosen from).
   */
  filesSoFar: number;
  /**
   * True when the answer came from the cache's snapshot, before the catch-up confirmed it: a file changed while the sidecar was down may be missing or listed though gone.
   */
  unverified?: boolean;
}

export interface GlobParams {
  /**
   * Globs over workspace-relative paths: '*' stays within one segment, '**' spans any number.
   */
  include: string[];
  /**
   * Globs over workspace-relative paths: '*' stays within one segment, '**' spans any number.
   */
  exclude?: string[];
  /**
   * Return at most this many paths (default: no limit).
   */
  limit?: number;
  /**
   * Wait until the index is ready and verified instead of answering from the cache's snapshot while it is checked (default false). Before the first scan is done glob always waits.
   */
  waitForIndex?: boolean;
}

export interface GlobResult {
  /**
   * Matching file paths in byte order.
   */
  paths: string[];
  /**
   * True when more paths matched than 'limit'.
   */
  truncated: boolean;
  indexing?: Indexing;
}

/**
 * Content hashes of many files, computed on all cores. Request with "stream": true to get them in chunks (hashes.partial.json) as they are done.
 */
export interface HashesParams {
  /**
   * Workspace-relative paths with '/' separators, each resolved as workspace/readFile resolves it (a symlink inside the root is followed). Answered in this order, one entry each (a path given twice is answered twice).
   */
  paths: string[];
}

/**
 * One chunk of a streamed workspace/hashes: at most 1000 entries, released once every path before theirs in the request is done, so chunks arrive in request order and are never taken back. A chunk goes out when 1000 entries are ready, when the oldest of them waited 25 ms, or when nothing new was released for 25 ms.
 */
export interface HashesPartial {
  /**
   * @minItems 1
   * @maxItems 1000
   */
  hashes: [HashEntry, ...HashEntry[]];
}

export interface PathHash {
  /**
   * The path exactly as requested.
   */
  path: string;
  /**
   * xxh3-128 of the file's bytes, lowercase hex: the value workspace/readFile answers and `xxhsum -H128` prints. Served from the cache only when the file's device, inode, size, mtime and ctime still match those it was computed from and those times were older than its computation by two timestamp ticks (the racy rule, see docs/workspace-sidecar.md); otherwise the file is read again.
   */
  hash: string;
}

export interface PathHashError {
  /**
   * The path exactly as requested.
   */
  path: string;
  error: PathError;
}

/**
 * The error workspace/readFile would answer for this path (no size limit applies here).
 */
export interface PathError {
  /**
   * NOT_FOUND (missing, ignored or excluded, a FIFO or device, a dangling or looping link), NOT_A_FILE (a folder), OUTSIDE_WORKSPACE, INVALID_PATH, PERMISSION_DENIED (its permissions keep the sidecar from reading it), or INTERNAL (the file could not be read for another reason).
   */
  code: string;
  /**
   * What went wrong, naming only the requested workspace-relative path.
   */
  message: string;
}

/**
 * The answer to workspace/hashes. Unstreamed, 'hashes' holds one entry per requested path, in request order. Streamed, the chunks' entries (hashes.partial.json) come first and 'hashes' holds the rest (fewer than 1000): the entries of every chunk, in the order sent, followed by these, are exactly the unstreamed answer.
 */
export interface HashesResult {
  /**
   * One entry per requested path (or the rest of them, when streamed), in request order.
   */
  hashes: HashEntry[];
}

/**
 * Payload of the workspace/indexProgress event, sent while the first scan runs.
 */
export interface IndexProgressEvent {
  /**
   * Files found so far by the first scan.
   */
  files: number;
}

export interface ListDirParams {
  /**
   * Workspace-relative path with '/' separators; '' is the root.
   */
  path: string;
}

export interface ListDirResult {
  /**
   * Children sorted by name; ignored entries are left out.
   */
  entries: DirEntry[];
}

/**
 * One child of the listed folder.
 */
export interface DirEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink';
}

export interface ReadFileParams {
  /**
   * Workspace-relative path with '/' separators; '' is the root.
   */
  path: string;
  encoding?: 'utf8' | 'base64';
  /**
   * Refuse files larger than this (TOO_LARGE); never above the sidecar's --max-file-size (default 50 MiB).
   */
  maxBytes?: number;
}

export interface ReadFileResult {
  /**
   * Workspace-relative path with '/' separators.
   */
  path: string;
  /**
   * The content as UTF-8 text, or base64 (standard alphabet, padded).
   */
  content: string;
  encoding: 'utf8' | 'base64';
  /**
   * Size in bytes.
   */
  size: number;
  /**
   * Modification time in milliseconds since the Unix epoch.
   */
  mtimeMs: number;
  /**
   * xxh3-128 of the bytes, lowercase hex.
   */
  hash: string;
}

/**
 * Content search. Streams when asked ("stream": true): see search.partial.json.
 */
export interface SearchParams {
  query: string;
  isRegex?: boolean;
  caseSensitive?: boolean;
  wholeWord?: boolean;
  /**
   * Only search files matching one of these globs (default: all).
   */
  include?: string[];
  /**
   * Skip files matching any of these globs.
   */
  exclude?: string[];
  /**
   * At most this many matches (default 10000). Matches are counted, not lines: a line with three matches counts three, and the answer holds the first maxResults matches in (path, line, column) order, so its last line may list fewer ranges than the line has matches.
   */
  maxResults?: number;
  /**
   * Deadline for the search itself, in milliseconds from when the first index is ready (default 30000). When it passes, the search stops and answers what it found with truncated: true and truncatedBy: "deadline". Not the call's timeoutMs, which rejects the call instead.
   */
  deadlineMs?: number;
}

/**
 * One chunk of a streamed workspace/search: matching lines, released once every file before theirs in path order has been searched, so chunks arrive already sorted by (path, line) and are never taken back. The chunks' lines followed by the final result's lines are exactly the unstreamed answer (maxResults counted over all of them). A file's lines may be split across chunks.
 */
export interface SearchPartial {
  lines: SearchLine[];
}

/**
 * One matching line, with every match on it.
 */
export interface SearchLine {
  /**
   * Workspace-relative path with '/' separators.
   */
  path: string;
  /**
   * 1-based line number.
   */
  line: number;
  /**
   * The matching line without its line terminator; for a line over 1000 bytes, an excerpt of at most 1000 bytes that starts up to 100 bytes before the line's first match (see textOffset).
   */
  text: string;
  /**
   * Present only when 'text' is an excerpt: the UTF-16 offset in the line where 'text' starts.
   */
  textOffset?: number;
  /**
   * Every match on the line, in order, as [start, end): UTF-16 code unit offsets in the whole line as workspace/readFile returns it (not in the excerpt: subtract textOffset to index 'text'; a range of an excerpted line may lie partly or wholly outside it). A UTF-8 byte order mark opening the file counts as one unit of line 1 (and stays in its text). end - start is the match's length; it is 0 for an empty match.
   */
  ranges: SearchRange[];
}

/**
 * The answer to workspace/search. Unstreamed, 'lines' is the whole answer, sorted by (path, line). Streamed, the chunks' lines (search.partial.json) come first and 'lines' holds the rest: the lines of every chunk, in the order sent, followed by these, are exactly the unstreamed answer, in the same sorted order.
 */
export interface SearchResult {
  /**
   * One entry per matching line (not per match), sorted by path, then line.
   */
  lines: SearchLine[];
  /**
   * True when the answer is not everything: more matches exist than maxResults, or the deadline passed (see truncatedBy).
   */
  truncated: boolean;
  /**
   * Present only when truncated. maxResults: the answer is exactly the first maxResults matches. deadline: the deadline (deadlineMs) passed first; the lines are what was found by then, still sorted, but some files (or their ends) were not searched.
   */
  truncatedBy?: 'maxResults' | 'deadline';
  /**
   * Files opened and searched to the end (binary files included). Once the answer is truncated, this depends on how far the parallel search got, not only on the files.
   */
  filesSearched: number;
}

export interface StatParams {
  /**
   * Workspace-relative path with '/' separators; '' is the root.
   */
  path: string;
  /**
   * Also answer the content hash of a regular file (computed now, or taken from the cache when the racy rule trusts it; never a stale cached value). A parameter rather than 'whatever is cached', because main asks stat for the hash exactly when it must know the current content (before saving over a file), and an answer that may or may not carry it would leave main to read the file itself. Ignored for folders and symlinks, which have no content hash.
   */
  hash?: boolean;
}

export interface StatResult {
  /**
   * Workspace-relative path with '/' separators.
   */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /**
   * Size in bytes (of the link itself for a symlink).
   */
  size: number;
  /**
   * Modification time in milliseconds since the Unix epoch.
   */
  mtimeMs: number;
  /**
   * Present only when 'hash' was requested and the entry is a regular file: the xxh3-128 of its bytes, lowercase hex, as workspace/readFile and workspace/hashes answer it.
   */
  hash?: string;
}

/**
 * No params.
 */
export interface StatusParams {}

export interface StatusResult {
  /**
   * Canonical absolute path of the workspace root.
   */
  root: string;
  state: 'indexing' | 'ready';
  /**
   * Whether the first scan's sizes and mtimes are filled in yet. The index is ready (every path findable) before they are; no answer uses them (stat and readFile ask the disk); changes are applied meanwhile (judged by their own lstat), and a rescan waits until they are complete.
   */
  metadata: 'pending' | 'complete';
  /**
   * Files in the index (0 until the first scan is published).
   */
  files: number;
  /**
   * Increases with every applied change batch.
   */
  generation: number;
  /**
   * True once watching has started (before the first scan: on Linux the scan then places each folder's watch as it walks). Changes are reported against the first index: one made before state is ready is never lost, but it may be part of that index (then it is not reported) or arrive as an event afterwards, depending on whether the walk had already listed that folder.
   */
  watching: boolean;
  skipped: {
    /**
     * Files under the root, now, whose paths are not valid UTF-8 (what a fresh scan would count; kept current while watching).
     */
    nonUtf8: number;
    /**
     * Files under the root, now, whose paths hold a name that every method refuses on every platform because Windows reads it as something else (INVALID_PATH: a reserved device name such as NUL or con.ts, a trailing dot or space, ':'), in the file's own name or a folder's above it. They are listed nowhere; kept current while watching.
     */
    unportable: number;
    /**
     * The first 10 of those paths in sorted order, workspace-relative, so an app can name them.
     *
     * @maxItems 10
     */
    unportableSample:
      | []
      | [string]
      | [string, string]
      | [string, string, string]
      | [string, string, string, string]
      | [string, string, string, string, string]
      | [string, string, string, string, string, string]
      | [string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string];
    /**
     * Entries under the root that cannot be read now, as a fresh scan would count them: a folder the sidecar may not list (everything beneath it is left out), an entry it may not lstat. On Linux a folder's permission change while watching is followed at once; elsewhere the folder is counted again at its next walk.
     */
    errors: number;
  };
  /**
   * Present while the system refuses watches (Linux: fs.inotify.max_user_watches or max_user_instances reached, or --max-watches): some folders have no watch, so changes there are found by a full rescan every rescanMs instead of at once. Absent once every folder is watched again.
   */
  watchLimit?: {
    /**
     * What refused the watch, for the user.
     */
    message: string;
    /**
     * Milliseconds between the fallback rescans (ten times the last rescan's duration, 1 s to 60 s).
     */
    rescanMs: number;
  };
  cache: CacheStatus;
}

/**
 * The index's snapshot in the cache folder (--cache-dir), which lets a restart answer at once instead of walking the whole tree first. 'off': no cache folder was given. 'cold': no usable snapshot was found ('reason' says why: none yet, another root or version, corrupt, truncated, other options); the index was built by a full scan. 'verifying': answers come from the snapshot while the catch-up checks every folder and file against the disk (state is 'indexing' until it is done; what changed while the sidecar was down then arrives as ordinary workspace/didChange events). 'warm': the catch-up is done ('catchUp' says how). 'unusable': the cache folder cannot be created, read or written ('reason'); the sidecar works uncached. 'locked': another sidecar on this root holds the snapshot; this one works uncached.
 */
export interface CacheStatus {
  state: 'off' | 'cold' | 'verifying' | 'warm' | 'unusable' | 'locked';
  /**
   * Why the snapshot was not used, or why the cache folder is unusable, for the user.
   */
  reason?: string;
  /**
   * The snapshot file (absolute, native separators), when there is a cache folder.
   */
  path?: string;
  catchUp?: CatchUp;
}

/**
 * How the warm start caught up with the disk. Every folder the snapshot recorded is checked by its identity and times (a folder whose entries were added, removed or renamed has new times); only changed folders, the folders on the way to them and new folders are read again. The whole tree is walked instead when the snapshot has no folder records, git's global excludes file changed, or a folder read again holds entries a scan has to skip ('walk' says which).
 */
export interface CatchUp {
  /**
   * Folders the snapshot recorded, each checked.
   */
  folders: number;
  /**
   * Folders whose entries were read again: changed ones, and new ones below them.
   */
  reread: number;
  /**
   * Why the whole tree was walked instead, when it was.
   */
  walk?: string;
}
