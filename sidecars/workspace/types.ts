/**
 * TypeScript shapes of the workspace sidecar's params, results and events. They mirror the JSON
 * Schemas in `schema/`, which stay the single source of truth: main validates every call against
 * those files with ajv, and the Rust tests check real responses against the same files, so a
 * drift between these types and the wire shows up as a failing test, not a silent bug.
 */

export interface StatusParams {}
export interface StatusResult {
  root: string;
  state: 'indexing' | 'ready';
  /** Sizes and mtimes of the first scan are filled in after it is ready. */
  metadata: 'pending' | 'complete';
  files: number;
  generation: number;
  watching: boolean;
  skipped: { nonUtf8: number; errors: number };
  /** Present while the OS refuses watches: changes in unwatched folders arrive by periodic rescans. */
  watchLimit?: { message: string; rescanMs: number };
}

export interface ReadFileParams {
  path: string;
  encoding?: 'utf8' | 'base64';
  maxBytes?: number;
}
export interface ReadFileResult {
  path: string;
  content: string;
  encoding: 'utf8' | 'base64';
  size: number;
  mtimeMs: number;
  hash: string;
}

export interface StatParams {
  path: string;
}
export interface StatResult {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  size: number;
  mtimeMs: number;
}

export interface ListDirParams {
  path: string;
}
export interface DirEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink';
}
export interface ListDirResult {
  entries: DirEntry[];
}

export interface GlobParams {
  include: string[];
  exclude?: string[];
  limit?: number;
}
export interface GlobResult {
  paths: string[];
  truncated: boolean;
}

export interface FindFilesParams {
  query: string;
  limit?: number;
  /** Wait for the first scan and answer from the whole index (never with `indexing`). */
  waitForIndex?: boolean;
}
export interface FuzzyMatch {
  path: string;
  score: number;
  /** UTF-16 indices into `path` of the matched characters, for highlighting. */
  positions: number[];
}
export interface FindFilesResult {
  matches: FuzzyMatch[];
  /**
   * Present only on an answer given while the first scan was still running: `matches` are the
   * best among the `filesSoFar` files found by then, ranked exactly as the whole index would rank
   * them, and asking again later may find better ones. Absent once the index is ready.
   */
  indexing?: { filesSoFar: number };
}

export interface SearchParams {
  query: string;
  isRegex?: boolean;
  caseSensitive?: boolean;
  wholeWord?: boolean;
  include?: string[];
  exclude?: string[];
  /** At most this many matches (not lines; default 10000): the first ones in (path, line, column) order. */
  maxResults?: number;
  /** The search's own deadline in ms once the index is ready (default 30000); it then answers
   * what it found with `truncatedBy: 'deadline'`. Not the call's `timeoutMs`, which rejects. */
  deadlineMs?: number;
}
/** A match as UTF-16 `[start, end)` offsets in its whole line (what a JS string indexes). */
export type SearchRange = [start: number, end: number];
/** One matching line, with every match on it. */
export interface SearchLine {
  path: string;
  /** 1-based line number. */
  line: number;
  /** The matching line, or for a line over 1000 bytes an excerpt starting a little before its first match. */
  text: string;
  /** Only for excerpts: the UTF-16 offset in the line where `text` starts. */
  textOffset?: number;
  /** Every match, in order, as offsets in the line as readFile returns it (a UTF-8 BOM opening the
   * file counts as one unit of line 1 and stays in `text`). In `text`, a match is at
   * `start - (textOffset ?? 0)`; for an excerpt it may lie outside `text`. */
  ranges: SearchRange[];
}
export interface SearchResult {
  /** Sorted by path, then line. Streamed, the chunks' lines come first and these are the rest. */
  lines: SearchLine[];
  truncated: boolean;
  /** Why, when `truncated`: more than `maxResults` matches exist, or the deadline passed first. */
  truncatedBy?: 'maxResults' | 'deadline';
  filesSearched: number;
}
/** One chunk of a streamed search: lines already in their final (path, line) order. */
export interface SearchPartial {
  lines: SearchLine[];
}

export type ChangeType = 'created' | 'changed' | 'deleted';
export interface FileChange {
  path: string;
  type: ChangeType;
}
/** Payload of the `workspace/didChange` event. */
export interface DidChangeEvent {
  generation: number;
  changes: FileChange[];
  /** True when the OS dropped events and the sidecar rescanned; `changes` is the diff it found. */
  rescan?: boolean;
}
/** Payload of the `workspace/indexProgress` event. */
export interface IndexProgressEvent {
  files: number;
}
