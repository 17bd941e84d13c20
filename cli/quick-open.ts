/**
 * Quick open's list, usable from the first keystroke: fuzzy matches come from `findFiles`, which
 * answers during the first scan from the files found so far (`indexing.filesSoFar`), and the
 * list runs its query again each time the tracker reports more files or the finished index, so
 * it fills in while the user looks at it. The line under the list says which it is: "indexing…
 * n files so far" or the finished index's figures. A leading `/` switches to content search
 * (`path:line:col text`, every match highlighted); search needs the whole index, so it answers
 * once the index is ready. A leading `@` finds TS/JS symbols by name (`name  kind  path:line`) from
 * the typescript sidecar; while its first index builds the answer covers the files parsed so far,
 * and the list runs again by itself when that index is done. The APIs and the tracker are passed
 * in, so tests drive this with real sidecars and scripted keystrokes.
 */
import type { TypeScriptAPI } from 'skaffa-sidecars/typescript';
import type { FuzzyMatch, SearchLine, WorkspaceAPI } from 'skaffa-sidecars/workspace';
import { color, formatBytes, formatSymbol, highlightMatch, markRanges, truncate } from './format';
import type { IndexTracker } from './index-tracker';
import { liveSearch, type LiveChoice } from './live-search';

/** What the list's Enter returns: a file, or a search hit's file and line. */
export type Chosen = { path: string; line?: number };

export const FIND_LIMIT = 50;
const SEARCH_LIMIT = 100;
const SYMBOL_LIMIT = 50;

/** What the `@` prefix needs: symbols by name, and the stream whose end says the index is built. */
export type SymbolSource = Pick<TypeScriptAPI, 'symbols' | 'symbolsStream'>;

/** Where the prompt reads keys and draws (the terminal by default). */
export interface PromptIo {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/** Opens the list; resolves with the chosen entry. `prompt.cancel()` closes it. */
export function openQuickOpen(
  workspace: Pick<WorkspaceAPI, 'findFiles' | 'search'>,
  index: IndexTracker,
  o: { rows?: number; cols?: number; io?: PromptIo; typescript?: SymbolSource } = {},
): Promise<Chosen> & { cancel: () => void } {
  const rows = o.rows ?? 24;
  const cols = o.cols ?? 100;
  const symbols = o.typescript ? symbolRows(o.typescript) : undefined;
  return liveSearch<Chosen>(
    {
      message: `Quick open ${color.dim(`(type to fuzzy-find · "/" + text searches contents${symbols ? ' · "@" + name finds symbols' : ''} · Ctrl-C quits)`)}`,
      pageSize: Math.max(5, Math.min(20, rows - 7)),
      source: (term, { signal }) => {
        const t = stripAnsi(term);
        return symbols && t.startsWith('@') ? symbols.rows(t.slice(1), signal) : choicesFor(workspace, index, t, signal, cols);
      },
      subscribe: (refresh) => {
        const stop = [index.subscribe(refresh), symbols?.subscribe(refresh)];
        return () => stop.forEach((s) => s?.());
      },
      status: () => statusLine(index),
    },
    o.io,
  );
}

/** The line under the list. */
export function statusLine(index: IndexTracker): string {
  const s = index.state();
  if (!s.ready) return color.yellow(`indexing… ${s.files} files so far (the list refreshes as more are found)`);
  const parts = [`${color.bold(String(s.files))} files`, `${(s.ms / 1000).toFixed(2)} s`, `sidecar RSS ${formatBytes(s.rssBytes)}`, s.watching ? 'watching for changes' : color.yellow('not watching')];
  return `${color.green('✔')} index ready: ${parts.join(color.dim(' · '))}`;
}

/** The rows for one term: fuzzy matches, or content-search hits after a `/`. */
async function choicesFor(
  workspace: Pick<WorkspaceAPI, 'findFiles' | 'search'>,
  index: IndexTracker,
  term: string,
  signal: AbortSignal,
  cols: number,
): Promise<LiveChoice<Chosen>[]> {
  if (term.startsWith('/')) {
    const query = term.slice(1);
    if (query.trim() === '') return [];
    const { lines } = await workspace.search(query, { maxResults: SEARCH_LIMIT, signal });
    return lines.map((l) => ({ value: { path: l.path, line: l.line }, name: hitName(l, cols), short: `${l.path}:${l.line}` }));
  }
  if (term.trim() === '') return [];
  const { matches, indexing } = await workspace.findFiles(term, { limit: FIND_LIMIT, signal });
  if (indexing) index.found(indexing.filesSoFar);
  return matches.map((m: FuzzyMatch) => ({ value: { path: m.path }, name: highlightMatch(m), short: m.path }));
}

/**
 * The `@` rows, and the refresh they need: an answer given while the typescript index was still
 * building waits (once) for the build to end, then asks the list to run its term again.
 */
function symbolRows(typescript: SymbolSource) {
  const listeners = new Set<() => void>();
  let waiting = false;
  const untilBuilt = () => {
    if (waiting) return;
    waiting = true;
    // A streamed query's result comes once the first build is done; its chunks are not needed.
    typescript.symbolsStream('', { limit: 1 }).result.then(
      () => listeners.forEach((l) => l()),
      () => undefined, // the next keystroke asks again and shows the error
    );
  };
  return {
    subscribe: (refresh: () => void) => {
      listeners.add(refresh);
      return () => void listeners.delete(refresh);
    },
    rows: async (query: string, signal: AbortSignal): Promise<LiveChoice<Chosen>[]> => {
      if (query.trim() === '') return [];
      const result = await typescript.symbols(query, { limit: SYMBOL_LIMIT, signal });
      if (result.indexing) untilBuilt();
      return result.symbols.map((s) => {
        const line = s.range.start.line + 1;
        return { value: { path: s.path, line }, name: formatSymbol(s), short: `${s.path}:${line}`, key: `${s.name} ${s.path}:${line}` };
      });
    },
  };
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

/** Tab copies a choice into the input; searching must ignore any colours in it. */
function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}
