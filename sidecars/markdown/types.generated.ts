/**
 * Wire types of the markdown sidecar, generated from schema/*.json by `npm run gen:types`: do not edit.
 * Change the schemas (their `description`s become these comments) and run it again.
 */

export interface OutlineParams {
  /**
   * The Markdown source.
   */
  text: string;
}

/**
 * Headings in document order; the chunks, then the final result's headings, make the whole outline.
 */
export interface OutlinePartial {
  headings: MarkdownHeading[];
}

/**
 * One heading of markdown/outline.
 */
export interface MarkdownHeading {
  level: number;
  text: string;
  /**
   * 1-based line in the source.
   */
  line: number;
  /**
   * GitHub-style anchor id, unique in the document.
   */
  id: string;
}

export interface OutlineResult {
  headings: MarkdownHeading[];
}

export interface RenderParams {
  /**
   * The Markdown source.
   */
  text: string;
  /**
   * Pass raw HTML through instead of escaping it (default false).
   */
  allowHtml?: boolean;
}

export interface RenderResult {
  html: string;
}
