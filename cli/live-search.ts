/**
 * The quick-open list: a search prompt on @inquirer/core, shaped like @inquirer/search (type to
 * filter, ↑↓ to move, Enter to choose, Tab to copy the choice into the input) with two additions
 * that a list over a still-growing index needs. `subscribe` lets the caller ask for the current
 * query to be run again without a keystroke (the index found more files, or became ready), and
 * `status` is a line under the list that is drawn again each time (for "indexing… n files"). A
 * refresh keeps the entry the user moved the cursor to when it is still in the new list, so a
 * list that changes under the cursor does not make Enter open something else; a cursor nobody
 * moved stays on the first row, the best match. Each run gets its own AbortSignal,
 * aborted by the next keystroke or refresh, so a query nobody waits for is cancelled.
 */
import { createPrompt, isDownKey, isEnterKey, isTabKey, isUpKey, makeTheme, useEffect, useKeypress, usePagination, usePrefix, useRef, useState, type Theme } from '@inquirer/core';

/** One row of the list. */
export interface LiveChoice<Value> {
  value: Value;
  /** What the row shows (may hold colours). */
  name: string;
  /** What the answer line shows once chosen. */
  short: string;
  /** Identifies the row across refreshes (defaults to `short`). */
  key?: string;
}

export interface LiveSearchConfig<Value> {
  message: string;
  /** The rows for `term` (empty string when nothing is typed yet). */
  source: (term: string, opts: { signal: AbortSignal }) => Promise<readonly LiveChoice<Value>[]>;
  /** Calls `refresh` whenever the current term should be run again; returns the unsubscribe. */
  subscribe?: (refresh: () => void) => () => void;
  /** A line shown under the list, read on every render. */
  status?: () => string | undefined;
  pageSize?: number;
  theme?: Partial<Theme>;
}

type Run = { term: string; refresh: number };

export const liveSearch = createPrompt(<Value>(config: LiveSearchConfig<Value>, done: (value: Value) => void): [string, string] => {
  const theme = makeTheme(config.theme);
  const [status, setStatus] = useState<'loading' | 'idle' | 'done'>('loading');
  const [run, setRun] = useState<Run>({ term: '', refresh: 0 });
  const [rows, setRows] = useState<readonly LiveChoice<Value>[]>([]);
  const [error, setError] = useState<string | undefined>(undefined);
  const [active, setActive] = useState(0);
  // The latest run, for the subscription (which outlives any one render's closure).
  const latest = useRef(run);
  latest.current = run;
  const selectedKey = useRef<string | undefined>(undefined);
  // Whether the user moved the cursor since the term last changed.
  const moved = useRef(false);
  const prefix = usePrefix({ status, theme });

  useEffect(() => {
    if (!config.subscribe) return;
    return config.subscribe(() => setRun({ ...latest.current, refresh: latest.current.refresh + 1 }));
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    // A refresh redraws in place; only a new term shows the spinner.
    if (run.refresh === 0) setStatus('loading');
    config.source(run.term, { signal: controller.signal }).then(
      (next) => {
        if (controller.signal.aborted) return;
        const keep = next.findIndex((c) => keyOf(c) === selectedKey.current);
        setActive(run.refresh > 0 && moved.current && keep >= 0 ? keep : 0);
        setError(undefined);
        setRows(next);
        setStatus('idle');
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setError(e instanceof Error ? e.message : String(e));
        setStatus('idle');
      },
    );
    return () => controller.abort();
  }, [run]);

  const selected = rows[active];
  selectedKey.current = selected ? keyOf(selected) : undefined;

  useKeypress((key, rl) => {
    if (isEnterKey(key)) {
      if (selected) {
        setStatus('done');
        done(selected.value);
      } else {
        rl.write(run.term); // Enter clears readline's line; give the term back
      }
    } else if (isTabKey(key) && selected) {
      rl.clearLine(0);
      rl.write(selected.short);
      moved.current = false;
      setRun({ term: selected.short, refresh: 0 });
    } else if (isUpKey(key) || isDownKey(key)) {
      rl.clearLine(0);
      rl.write(run.term);
      moved.current = true;
      if (rows.length > 0) setActive(Math.min(rows.length - 1, Math.max(0, active + (isUpKey(key) ? -1 : 1))));
    } else if (rl.line !== run.term) {
      moved.current = false;
      setRun({ term: rl.line, refresh: 0 });
    }
  });

  const message = theme.style.message(config.message, status);
  if (status === 'done' && selected) return [`${prefix} ${message} ${theme.style.answer(selected.short)}`, ''];

  const page = usePagination({
    items: rows,
    active,
    renderItem: ({ item, isActive }) => (isActive ? theme.style.highlight(`❯ ${item.name}`) : `  ${item.name}`),
    pageSize: config.pageSize ?? 7,
    loop: false,
  });
  const empty = run.term !== '' && rows.length === 0 && status === 'idle' ? theme.style.error('No results found') : undefined;
  const body = [error ? theme.style.error(error) : (empty ?? page), config.status?.(), theme.style.help('↑↓ navigate • ⏎ select')]
    .filter((l): l is string => Boolean(l))
    .join('\n');
  return [`${prefix} ${message} ${run.term}`.trimEnd(), body];
});

function keyOf<Value>(c: LiveChoice<Value>): string {
  return c.key ?? c.short;
}
