/**
 * Interactive quick open, what a bare `skaffa` in a terminal runs. It builds the index behind a
 * progress bar, prints the index figures, then opens an fzf-like live list (@inquirer/search): each
 * keystroke asks the sidecar for the best fuzzy matches, matched characters highlighted from the
 * sidecar's `positions`; a leading `/` switches to content search (`path:line:col text`, every
 * match of the line highlighted from the sidecar's ranges). A newer
 * keystroke aborts the previous query's signal, which cancels it in the sidecar too (`$/cancel`).
 * Enter prints the chosen file's first lines (for a search hit, the lines around it).
 */
import search from '@inquirer/search';
import { SidecarError } from 'skaffa-sidecars';
import type { FuzzyMatch, SearchLine } from 'skaffa-sidecars/workspace';
import { ExitCode, InterruptedError } from './errors';
import { color, highlightMatch, markRanges, previewLines, truncate } from './format';
import type { Output } from './output';
import { buildIndexWithProgress, formatFigures } from './progress';
import type { Session } from './session';

/** What the list's Enter returns. */
type Pick = { path: string; line?: number };

const FIND_LIMIT = 50;
const SEARCH_LIMIT = 100;
const PREVIEW_LINES = 20;

/** Runs quick open until a file is chosen (exit 0) or Ctrl-C (exit 130). */
export async function runInteractive(session: Session, out: Output, interrupt: AbortSignal): Promise<number> {
  const figures = await buildIndexWithProgress(session, interrupt);
  out.note(formatFigures(figures));

  const rows = process.stdout.rows ?? 24;
  const cols = process.stdout.columns ?? 100;
  let picked: Pick;
  try {
    picked = await search<Pick>(
      {
        message: `Quick open ${color.dim('(type to fuzzy-find · "/" + text searches contents · Ctrl-C quits)')}`,
        pageSize: Math.max(5, Math.min(20, rows - 6)),
        source: (term, { signal }) => choicesFor(session, stripAnsi(term ?? ''), signal, cols),
      },
      { signal: interrupt },
    );
  } catch (e) {
    // Ctrl-C inside the prompt (raw mode: no SIGINT arrives) or our interrupt signal (a real SIGINT).
    if (e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError')) throw new InterruptedError();
    throw e;
  }
  out.lines(await preview(session, picked, cols));
  return ExitCode.ok;
}

/** The list for one keystroke: fuzzy matches, or content-search hits after a `/`. */
async function choicesFor(session: Session, term: string, signal: AbortSignal, cols: number) {
  if (term.startsWith('/')) {
    const query = term.slice(1);
    if (query.trim() === '') return [];
    const { lines } = await session.workspace.search(query, { maxResults: SEARCH_LIMIT, signal });
    return lines.map((l) => ({ value: { path: l.path, line: l.line }, name: hitName(l, cols), short: `${l.path}:${l.line}` }));
  }
  if (term.trim() === '') return [];
  const { matches } = await session.workspace.findFiles(term, { limit: FIND_LIMIT, signal });
  return matches.map((m: FuzzyMatch) => ({ value: { path: m.path }, name: highlightMatch(m), short: m.path }));
}

/**
 * A matching line as `path:line:col text` with every match highlighted (ranges are UTF-16 offsets
 * in the line, as JS indexes strings; col is the first match). Leading indentation is dropped, and
 * on long lines so is the text far before the first match, so it stays on screen.
 */
function hitName(l: SearchLine, cols: number): string {
  const text = l.text.replace(/\r?\n$/, '');
  const offset = l.textOffset ?? 0;
  const [first, firstEnd] = l.ranges[0]!;
  const start = first - offset;
  const room = Math.max(20, cols - l.path.length - 16);
  const indent = text.length - text.trimStart().length;
  const clipped = start - indent + (firstEnd - first) > room - 10;
  const cut = clipped ? Math.max(0, start - 10) : indent;
  const visible = truncate(text.slice(cut), room);
  return `${color.magenta(l.path)}:${color.green(String(l.line))}:${first + 1} ${clipped ? '…' : ''}${markRanges(visible, l.ranges, offset + cut)}`;
}

/** The chosen file's first lines, or the lines around a chosen search hit. */
async function preview(session: Session, p: Pick, cols: number): Promise<string[]> {
  const title = color.bold(p.line ? `${p.path}:${p.line}` : p.path);
  try {
    const file = await session.workspace.readFile(p.path, { maxBytes: 16 << 20 });
    const from = p.line ? Math.max(1, p.line - 3) : 1;
    return [title, ...previewLines(file.content, { from, count: PREVIEW_LINES, mark: p.line, width: cols })];
  } catch (e) {
    if (SidecarError.is(e, 'INVALID_ENCODING')) return [title, color.dim('  (binary or not UTF-8; use `skaffa read --base64`)')];
    if (SidecarError.is(e, 'TOO_LARGE')) return [title, color.dim('  (larger than 16 MiB; not previewed)')];
    throw e;
  }
}

/** Tab in the prompt copies a (coloured) choice into the input; searching must ignore the colours. */
function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}
