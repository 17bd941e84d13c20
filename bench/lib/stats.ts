/**
 * Small statistics for the bench: medians, percentiles and min/max over repeated runs. The bench
 * reports medians rather than means because the machine is shared and noisy (2 cores, other
 * builds running): one slow outlier moves a mean a lot and a median hardly at all.
 */

/** A summary of repeated samples of one figure, in the figure's own unit. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  p99: number;
  n: number;
}

/** The q-quantile (0..1) of `xs` by nearest rank; NaN for no samples. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[rank];
}

/** Summary of the finite samples (a run that never finished, NaN, is left out: its row says why). */
export function summarize(all: number[]): Summary {
  const xs = all.filter((x) => Number.isFinite(x));
  return {
    median: quantile(xs, 0.5),
    min: xs.length ? Math.min(...xs) : NaN,
    max: xs.length ? Math.max(...xs) : NaN,
    p99: quantile(xs, 0.99),
    n: xs.length,
  };
}

/** Milliseconds since an arbitrary origin, sub-millisecond resolution. */
export function nowMs(): number {
  return performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The median and 99th percentile of one round's latencies. */
export function pcts(xs: number[]): { p50: number; p99: number } {
  return { p50: quantile(xs, 0.5), p99: quantile(xs, 0.99) };
}

/** One percentile's summary over rounds (median of the rounds' p50s, say). */
export function roundSummary(rounds: Array<{ p50: number; p99: number }>, which: 'p50' | 'p99'): Summary {
  return summarize(rounds.map((r) => r[which]));
}
