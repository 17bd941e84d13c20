/**
 * The boundary between the renderer and main, as types only: the capabilities the preload exposes
 * on `window.workspace`, the IPC channels behind them and what each carries. Main and the preload
 * both type-check against it; the sandboxed preload cannot `require` a local file at run time, so
 * nothing here may be a value. Every path that crosses it is relative to the open folder.
 */

/** The folder the window has open: its name only, never its absolute path. */
export interface FolderInfo {
  name: string;
}

/** One quick-open match: a folder-relative path and the matched character positions in it. */
export interface FileMatch {
  path: string;
  positions: number[];
}

export interface QuickOpenAnswer {
  matches: FileMatch[];
  /** The first scan is still running: these are the best of the files found so far. */
  indexing: boolean;
}

/** One matching line; `ranges` are `[start, end)` offsets in `text`. */
export interface SearchHit {
  path: string;
  line: number;
  text: string;
  ranges: Array<[number, number]>;
}

export interface SearchAnswer {
  hits: SearchHit[];
  truncated: boolean;
}

export interface FilePreview {
  path: string;
  text: string;
  /** The file is longer than the preview limit. */
  truncated: boolean;
}

/** Files of the open folder that changed (folder-relative paths). */
export interface ChangeNotice {
  paths: string[];
}

/** What the renderer sees as `window.workspace`: a few narrow capabilities, no Node, no IPC. */
export interface WorkspaceBridge {
  /** Shows the OS folder picker; null when the user cancelled. */
  openFolder(): Promise<FolderInfo | null>;
  findFiles(query: string): Promise<QuickOpenAnswer>;
  search(query: string): Promise<SearchAnswer>;
  readFile(path: string): Promise<FilePreview>;
  /** Calls `listener` on changes in the open folder; call the result to stop. */
  onDidChange(listener: (notice: ChangeNotice) => void): () => void;
}

/** Each invoke channel's arguments and result, so a typo or a shape change fails the type check. */
export interface Invocations {
  'workspace:openFolder': { args: []; result: FolderInfo | null };
  'workspace:findFiles': { args: [query: string]; result: QuickOpenAnswer };
  'workspace:search': { args: [query: string]; result: SearchAnswer };
  'workspace:readFile': { args: [path: string]; result: FilePreview };
}
export type InvokeChannel = keyof Invocations;

/** The one channel main sends on. */
export type DidChangeChannel = 'workspace:didChange';
