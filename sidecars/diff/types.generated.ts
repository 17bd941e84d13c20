/**
 * Wire types of the diff sidecar, generated from schema/*.json by `npm run gen:types`: do not edit.
 * Change the schemas (their `description`s become these comments) and run it again.
 */

export interface LinesParams {
  /**
   * The old text.
   */
  a: string;
  /**
   * The new text.
   */
  b: string;
  /**
   * Context lines around each change (default 3).
   */
  context?: number;
  ignoreWhitespace?: boolean;
}

export interface LinesResult {
  hunks: DiffHunk[];
  added: number;
  removed: number;
}

/**
 * One unified-diff hunk; its lines start with ' ', '+', '-' or '\'.
 */
export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

export interface WordsParams {
  /**
   * The old text.
   */
  a: string;
  /**
   * The new text.
   */
  b: string;
}

export interface WordsResult {
  parts: {
    value: string;
    type: 'added' | 'removed' | 'common';
  }[];
}
