/**
 * What containment costs (docs/containment.md): the same workspace sidecar started under
 * skaffa-reaper (the default) and directly (`contain: false`), in alternating rounds of one run.
 * Start: from `start()` (spawn) to the first `$/ping` answer. Round trip: p50 of a small validated
 * call (`workspace/status`); the reaper passes the pipes on rather than copying bytes, so this
 * should be the same. RSS: the reaper process's own resident memory, next to the sidecar's.
 */
import * as fs from 'node:fs';
import type { Report } from '../lib/report';
import { openSession } from '../lib/sidecar';
import { nowMs, quantile, summarize } from '../lib/stats';

interface Figures {
  startMs: number[];
  p50us: number[];
  rssMB: number[];
}

function rssMB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? Number(kb) / 1024 : NaN;
}

async function once(root: string, contain: boolean, calls: number, f: Figures): Promise<void> {
  const s = openSession(root, { contain });
  try {
    const t = nowMs();
    await s.registry.start(['workspace']);
    await s.registry.call('workspace', '$/ping', {});
    f.startMs.push(nowMs() - t);
    for (let i = 0; i < 100; i++) await s.registry.call('workspace', 'workspace/status', {}); // warm-up
    const xs: number[] = [];
    for (let i = 0; i < calls; i++) {
      const c = nowMs();
      await s.registry.call('workspace', 'workspace/status', {});
      xs.push((nowMs() - c) * 1000);
    }
    f.p50us.push(quantile(xs, 0.5));
    if (process.platform === 'linux') f.rssMB.push(rssMB(s.pid()));
  } finally {
    await s.close();
  }
}

export async function measureReaper(report: Report, smallRoot: string, rounds: number, calls: number): Promise<void> {
  const contained: Figures = { startMs: [], p50us: [], rssMB: [] };
  const direct: Figures = { startMs: [], p50us: [], rssMB: [] };
  // Alternating, so a noisy moment hits both alike.
  for (let r = 0; r < rounds; r++) {
    await once(smallRoot, true, calls, contained);
    await once(smallRoot, false, calls, direct);
  }
  const corpus = { corpus: 'tiny workspace', corpusFiles: null };
  report.add({ name: 'reaper: start to first $/ping', ...corpus, unit: 'ms', project: summarize(contained.startMs), peer: 'direct (contain: false)', peerResult: summarize(direct.startMs) });
  report.add({ name: 'reaper: round trip p50', ...corpus, unit: 'µs', project: summarize(contained.p50us), peer: 'direct (contain: false)', peerResult: summarize(direct.p50us) });
  const skipped = process.platform === 'linux' ? undefined : 'RSS is read from /proc (Linux only)';
  // The direct session's pid is the sidecar itself: the reaper's memory next to the sidecar's.
  report.add({ name: 'reaper: RSS of the reaper process', ...corpus, unit: 'MB', project: summarize(contained.rssMB), peer: 'the sidecar (direct)', peerResult: summarize(direct.rssMB), skipped });
}
