/**
 * Watching: time to ready, RSS and inotify watches once ready, create → event latency p50/p99,
 * and a burst of new files (time from the last write until all are reported, and how many never
 * are). Project: the sidecar from spawn to `status.watching`, events through WorkspaceAPI.watch
 * in main. Peers: chokidar and @parcel/watcher in child processes (peers/watch-child.ts). The
 * scenario writes into a scratch folder inside the corpus and removes it afterwards.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tools } from '../setup';
import { rssMb, sidecarPid } from '../lib/proc';
import { goals, type Goal, type Report, type Unit } from '../lib/report';
import { openSession, waitWatching } from '../lib/sidecar';
import { nowMs, quantile, summarize } from '../lib/stats';
import { inotifyWatches, WatchProbe, type WatchFigures } from '../lib/watch-scenario';
import type { Corpus } from './corpus';

const child = path.join(__dirname, '..', 'peers', 'watch-child.js');

async function projectRun(root: string, dir: string, changes: number, burst: number): Promise<WatchFigures> {
  const s = openSession(root, { noIgnore: true });
  const probe = new WatchProbe(root);
  probe.prepare(dir);
  const sub = s.workspace.watch('**', (e) => {
    for (const c of e.changes) probe.seen(c.path);
  });
  try {
    const t0 = nowMs();
    await s.registry.start(['workspace']);
    const readyMs = await waitWatching(s, t0);
    // The sidecar itself, not the reaper it runs under (which holds no watch and little memory).
    const pid = sidecarPid(s.pid());
    const rss = rssMb(pid);
    const watches = inotifyWatches(pid ?? 0);
    const c = await probe.changes(dir, changes);
    const b = await probe.burst(dir, burst);
    return { readyMs, rssMb: rss, watches, latenciesMs: c.latenciesMs, changesLost: c.lost, burstWriteMs: b.writeMs, burstAllMs: b.allMs, burstLost: b.lost };
  } finally {
    sub.dispose();
    await s.close();
  }
}

function peerRun(kind: string, root: string, dir: string, changes: number, burst: number): Promise<WatchFigures> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--max-old-space-size=8192', child, kind, root, dir, String(changes), String(burst)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    // JSON turns NaN ("never all seen") into null; turn it back so it is not read as 0 ms.
    p.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out, (_k, v: unknown) => (v === null ? NaN : v))) : reject(new Error(`${kind} watch child exited ${code}`)),
    );
  });
}

export async function measureWatch(report: Report, corpus: Corpus, tools: Tools, rounds: number, changes: number, burst: number): Promise<void> {
  const peers = [
    { name: 'chokidar', key: 'chokidar', kind: 'chokidar' },
    { name: '@parcel/watcher', key: '@parcel/watcher', kind: 'parcel' },
  ];
  const runs = new Map<string, WatchFigures[]>([['project', []], ...peers.map((p) => [p.name, []] as [string, WatchFigures[]])]);
  for (let i = 0; i < rounds; i++) {
    const dir = `zz-skaffa-bench-watch-${process.pid}-${i}`;
    const clean = () => fs.rmSync(path.join(corpus.root, dir), { recursive: true, force: true });
    try {
      runs.get('project')!.push(await projectRun(corpus.root, `${dir}/project`, changes, burst));
      clean();
      for (const p of peers) {
        if (tools.available[p.key] !== true) continue;
        runs.get(p.name)!.push(await peerRun(p.kind, corpus.root, `${dir}/${p.kind}`, changes, burst));
        clean();
      }
    } finally {
      clean();
    }
  }
  const base = { corpus: corpus.label, corpusFiles: corpus.files };
  const project = runs.get('project')!;
  const rows: Array<{ name: string; unit: Unit; pick: (f: WatchFigures) => number; goal?: Goal }> = [
    { name: 'watch ready', unit: 'ms', pick: (f) => f.readyMs },
    { name: 'watch RSS', unit: 'MB', pick: (f) => f.rssMb },
    { name: 'watch inotify watches', unit: 'watches', pick: (f) => f.watches },
    { name: 'watch change→event p50', unit: 'ms', pick: (f) => quantile(f.latenciesMs, 0.5), goal: goals.atMost(30, '≤ 30 ms') },
    { name: 'watch change→event p99', unit: 'ms', pick: (f) => quantile(f.latenciesMs, 0.99), goal: goals.atMost(60, '≤ 60 ms') },
    { name: `watch ${burst}-file burst, all seen`, unit: 'ms', pick: (f) => f.burstAllMs, goal: goals.atMost(150, '≤ 150 ms') },
    { name: `watch events lost (${changes} + ${burst} burst)`, unit: 'files', pick: (f) => f.burstLost + f.changesLost, goal: goals.maxAtMost(0, '0 lost, ever') },
  ];
  for (const r of rows) {
    for (const p of peers) {
      const xs = runs.get(p.name)!;
      const skipped = tools.available[p.key] === true ? undefined : String(tools.available[p.key]);
      report.add(
        { name: r.name, ...base, unit: r.unit, project: summarize(project.map(r.pick)), peer: p.name, peerResult: xs.length ? summarize(xs.map(r.pick)) : null, skipped },
        r.goal,
      );
    }
  }
  const writes = project.map((f) => f.burstWriteMs.toFixed(0)).join(', ');
  report.note(`watch: the ${burst}-file burst took ${writes} ms to write (project runs); "all seen" counts from the last write.`);
}
