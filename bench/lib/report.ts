/**
 * The bench's results: one `Row` per (measurement, peer), printed as a fixed-width table for a
 * person and written as JSON for tools. A figure measured once for the project and compared with
 * several peers appears in several rows, so every row stands alone: what was measured, on which
 * corpus, the project's median with min/max, the peer's, their ratio and the goal it is held to.
 */
import * as fs from 'node:fs';
import type { Summary } from './stats';

/** `%` and `MRR` are ranking quality (higher is better, like msg/s, files/s and MB/s). */
export type Unit = 'ms' | 'µs' | 'MB' | 'MB/s' | 'msg/s' | 'files' | 'files/s' | 'watches' | '%' | 'MRR' | 'B/file';

/** A goal on a row: either on the ratio project/peer or on the project's own median. */
export interface Goal {
  text: string;
  /** null when it cannot be judged (a ratio goal whose peer was skipped). */
  check: (project: Summary, ratio: number | null) => boolean | null;
}

export interface Row {
  name: string;
  corpus: string;
  corpusFiles: number | null;
  unit: Unit;
  project: Summary | null;
  peer: string;
  peerResult: Summary | null;
  /** Why the peer (or the project) has no figure, e.g. "fdfind not installed". */
  skipped?: string;
  /** project median / peer median (for msg/s, MB/s, % and MRR: higher is better). */
  ratio: number | null;
  goal?: string;
  goalMet?: boolean | null;
  note?: string;
}

export class Report {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];

  /** Adds a row, computing its ratio and whether its goal is met. */
  add(r: Omit<Row, 'ratio' | 'goal' | 'goalMet'>, goal?: Goal): Row {
    const p = r.project?.median;
    const q = r.peerResult?.median;
    const ratio = p !== undefined && q !== undefined && Number.isFinite(p) && Number.isFinite(q) && q !== 0 ? p / q : null;
    const row: Row = { ...r, ratio, goal: goal?.text, goalMet: goal && r.project && Number.isFinite(p) ? goal.check(r.project, ratio) : goal ? null : undefined };
    this.rows.push(row);
    // Printed as it goes, so a long run shows progress and a crash later loses nothing.
    console.log(`  ${formatRow(row).join('  ')}`);
    return row;
  }

  note(text: string): void {
    this.notes.push(text);
    console.log(`  note: ${text}`);
  }

  table(): string {
    const head = ['measurement', 'corpus', 'project median [min–max]', 'peer', 'peer median [min–max]', 'ratio', 'goal', 'met'];
    const body = this.rows.map(formatRow);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
    return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
  }

  writeJson(file: string, meta: Record<string, unknown>): void {
    // Flat medians and ranges first, for tools that want one number per field; the summaries follow.
    const rows = this.rows.map(({ name, corpus, corpusFiles, unit, peer, ...rest }) => ({
      name,
      corpus,
      corpusFiles,
      unit,
      projectMedian: rest.project?.median ?? null,
      projectMin: rest.project?.min ?? null,
      projectMax: rest.project?.max ?? null,
      peer,
      peerMedian: rest.peerResult?.median ?? null,
      peerMin: rest.peerResult?.min ?? null,
      peerMax: rest.peerResult?.max ?? null,
      ...rest,
    }));
    fs.writeFileSync(file, JSON.stringify({ ...meta, rows, notes: this.notes }, null, 2) + '\n');
  }
}

export function fmt(v: number | undefined, unit: Unit): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  if (unit === 'msg/s' || unit === 'files' || unit === 'files/s' || unit === 'watches') return Math.round(v).toLocaleString('en-US');
  if (unit === '%') return v.toFixed(1);
  if (unit === 'MRR') return v.toFixed(3);
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3;
  return v.toFixed(digits);
}

function summaryCell(s: Summary | null, unit: Unit, skipped?: string): string {
  if (!s) return skipped ? `skipped: ${skipped}` : 'n/a';
  const range = s.n > 1 ? ` [${fmt(s.min, unit)}–${fmt(s.max, unit)}]` : '';
  return `${fmt(s.median, unit)}${unit === '%' ? '' : ' '}${unit}${range}`;
}

function formatRow(r: Row): string[] {
  const corpus = r.corpusFiles ? `${r.corpus} (${fmt(r.corpusFiles, 'files')})` : r.corpus;
  const met = r.goalMet === undefined ? '' : r.goalMet === null ? '?' : r.goalMet ? 'yes' : 'NO';
  return [
    r.name,
    corpus,
    summaryCell(r.project, r.unit, r.project ? undefined : r.skipped),
    r.peer,
    summaryCell(r.peerResult, r.unit, r.peerResult ? undefined : r.skipped),
    r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`,
    r.goal ?? '',
    met,
  ];
}

/** Goal helpers: ratio at most / at least, or the project's own median at most / at least. */
export const goals = {
  ratioAtMost: (x: number, text = `≤ ${x}× peer`): Goal => ({ text, check: (_p, r) => (r === null ? null : r <= x) }),
  ratioAtLeast: (x: number, text = `≥ ${x}× peer`): Goal => ({ text, check: (_p, r) => (r === null ? null : r >= x) }),
  atMost: (x: number, text: string): Goal => ({ text, check: (p) => p.median <= x }),
  atLeast: (x: number, text: string): Goal => ({ text, check: (p) => p.median >= x }),
  /** For "never": every run, not only the median one. */
  maxAtMost: (x: number, text: string): Goal => ({ text, check: (p) => p.max <= x }),
};
