/**
 * Cold index ready, metadata complete, and resident memory after indexing. "Cold" means a fresh process with no
 * saved index (the page cache is warm: every tool gets a warm-up walk first, and all run back to
 * back in each round). Project: spawn the sidecar through the registry → first index ready
 * (every path findable: the walk, no stat, no FST), and → metadata complete (every size and mtime
 * filled in, `status.metadata`), same files as the peers (`--no-ignore`, hidden included). Peers: fd and rg
 * listing files, find printing mtime and size, fdir + statSync and fast-glob with stats in a
 * child Node process, which also gives their RSS for the memory rows.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Tools } from '../setup';
import { memoryMb, resetPeak, sidecarPid, timeCommand, waitIdle } from '../lib/proc';
import { goals, type Report } from '../lib/report';
import { openSession, startAndIndex, waitMetadata } from '../lib/sidecar';
import { nowMs, summarize } from '../lib/stats';
import type { Corpus } from './corpus';

const walkChild = path.join(__dirname, '..', 'peers', 'walk-child.js');

function runWalkChild(kind: string, root: string): Promise<{ ms: number; files: number; rssMb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=8192', walkChild, kind, root], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${kind} walk child exited ${code}`))));
  });
}

interface Peer {
  name: string;
  needs: string;
  run: (root: string) => Promise<{ ms: number; rssMb?: number }>;
}

const peers: Peer[] = [
  { name: 'fdfind -t f -u', needs: 'fdfind', run: async (r) => ({ ms: await timeCommand('fdfind', ['-t', 'f', '-u', '.', r]) }) },
  // fd again, made to stat every file (a time filter needs the mtime): the same walker as the
  // sidecar's (`ignore`) doing the same syscalls, i.e. the floor for walk + stat without the FST.
  { name: 'fdfind -u --changed-within (fd + stat)', needs: 'fdfind', run: async (r) => ({ ms: await timeCommand('fdfind', ['-t', 'f', '-u', '--changed-within', '100y', '.', r]) }) },
  { name: 'rg --files -uu', needs: 'rg', run: async (r) => ({ ms: await timeCommand('rg', ['--files', '-uu', r]) }) },
  { name: "find -printf '%T@ %s %p\\n'", needs: 'find', run: async (r) => ({ ms: await timeCommand('find', [r, '-type', 'f', '-printf', '%T@ %s %p\n']) }) },
  { name: 'fdir + statSync', needs: 'fdir', run: (r) => runWalkChild('fdir', r) },
  { name: 'fast-glob + stats', needs: 'fast-glob', run: (r) => runWalkChild('fast-glob', r) },
];

export async function measureColdIndex(report: Report, corpus: Corpus, tools: Tools, rounds: number, rssGoalMb?: number): Promise<number> {
  const usable = peers.filter((p) => p.needs === 'find' || tools.available[p.needs] === true);
  const times = new Map<string, number[]>(peers.map((p) => [p.name, []]));
  const rss = new Map<string, number[]>([['project', []], ['fdir + statSync', []], ['fast-glob + stats', []]]);
  const project: number[] = [];
  const complete: number[] = [];
  // Bytes per file: steady (once the FST is built and the process idle), peak of the walk (VmHWM at
  // ready) and peak of the metadata fill and FST build (VmHWM reset at ready).
  const perFile = { steady: [] as number[], scanPeak: [] as number[], fillPeak: [] as number[] };
  let files = 0;
  // Warm-up: one walk by fd (or find) so the first measured tool does not pay for a cold page cache.
  await timeCommand('find', [corpus.root, '-type', 'f']);
  for (let i = 0; i < rounds; i++) {
    const s = openSession(corpus.root, { noIgnore: true });
    try {
      const t0 = nowMs();
      const r = await startAndIndex(s);
      project.push(r.ms);
      const pid = sidecarPid(s.pid());
      const atReady = memoryMb(pid);
      resetPeak(pid);
      complete.push(await waitMetadata(s, t0));
      await waitIdle(pid);
      const idle = memoryMb(pid);
      rss.get('project')!.push(idle.rss);
      files = r.files;
      const b = (mb: number) => (mb * 1048576) / files;
      perFile.steady.push(b(idle.rss));
      perFile.scanPeak.push(b(atReady.peak));
      perFile.fillPeak.push(b(idle.peak));
    } finally {
      await s.close();
    }
    for (const p of usable) {
      const r = await p.run(corpus.root);
      times.get(p.name)!.push(r.ms);
      if (r.rssMb !== undefined) rss.get(p.name)!.push(r.rssMb);
    }
  }
  const base = { corpus: corpus.label, corpusFiles: files || corpus.files };
  const goalFor = (name: string) => (name === 'fdfind -t f -u' ? goals.ratioAtMost(2, '≤ 2× fd') : name.startsWith('fdir') ? goals.ratioAtMost(0.25, '≥ 4× faster') : undefined);
  for (const p of peers) {
    const skipped = tools.available[p.needs] === true || p.needs === 'find' ? undefined : String(tools.available[p.needs]);
    report.add({ name: 'cold index ready', ...base, unit: 'ms', project: summarize(project), peer: p.name, peerResult: skipped ? null : summarize(times.get(p.name)!), skipped }, goalFor(p.name));
  }
  const find = "find -printf '%T@ %s %p\\n'";
  report.add(
    { name: 'cold index metadata complete', ...base, unit: 'ms', project: summarize(complete), peer: find, peerResult: summarize(times.get(find)!) },
    goals.ratioAtMost(1.5, '≤ 1.5× find'),
  );
  for (const name of ['fdir + statSync', 'fast-glob + stats']) {
    const xs = rss.get(name)!;
    const rssGoal = rssGoalMb ? goals.atMost(rssGoalMb, `≤ ${rssGoalMb} MB`) : undefined;
    report.add({ name: 'RSS after index', ...base, unit: 'MB', project: summarize(rss.get('project')!), peer: name, peerResult: xs.length ? summarize(xs) : null, skipped: xs.length ? undefined : 'not installed' }, rssGoal);
  }
  rssPerFileRows(report, base, perFile, rss.get('fdir + statSync')!);
  if (corpus.kind === 'generated') await gitignoreRow(report, corpus, tools, rounds);
  return files;
}

/**
 * The same walk with the root .gitignore honoured (what the sidecar does by default), against rg
 * with the same rules (`--hidden --no-require-git`: the corpus is not a git repository; Debian's
 * fd 8.6 has no --no-require-git, so rg is the peer here).
 */
async function gitignoreRow(report: Report, corpus: Corpus, tools: Tools, rounds: number): Promise<void> {
  const project: number[] = [];
  const rg: number[] = [];
  let files = 0;
  for (let i = 0; i < rounds; i++) {
    const s = openSession(corpus.root);
    try {
      const r = await startAndIndex(s);
      project.push(r.ms);
      files = r.files;
    } finally {
      await s.close();
    }
    if (tools.available.rg === true) rg.push(await timeCommand('rg', ['--files', '--hidden', '--no-require-git', corpus.root]));
  }
  const skipped = tools.available.rg === true ? undefined : String(tools.available.rg);
  report.add({
    name: 'cold index ready, .gitignore honoured',
    corpus: corpus.label,
    corpusFiles: files,
    unit: 'ms',
    project: summarize(project),
    peer: 'rg --files --hidden --no-require-git',
    peerResult: rg.length ? summarize(rg) : null,
    skipped,
  });
}

/**
 * RSS per file (issue 18: ≤ 100 MB steady and ≤ 150 MB peak at 1M files, i.e. ≤ 105 and ≤ 157 B/file), against fdir +
 * statSync's child holding the same list, and Everything's published ≈75 B/file as a reference line (not measured here).
 */
function rssPerFileRows(report: Report, base: { corpus: string; corpusFiles: number }, perFile: Record<'steady' | 'scanPeak' | 'fillPeak', number[]>, fdirMb: number[]): void {
  const fdir = fdirMb.map((mb) => (mb * 1048576) / base.corpusFiles);
  const everything = 'Everything ≈75 B/file (published figure, reference only)';
  const rows: Array<[string, number[], number]> = [
    ['RSS per file, steady', perFile.steady, 100],
    ['RSS per file, peak during the walk', perFile.scanPeak, 150],
    ['RSS per file, peak during metadata fill + FST build', perFile.fillPeak, 150],
  ];
  for (const [name, xs, goalMb] of rows) {
    // The goals are stated at 1M files; on a small corpus the process's fixed cost dominates the per-file figure.
    const goal = base.corpusFiles >= 900_000 ? goals.atMost((goalMb * 1048576) / 1e6, `≤ ${goalMb} MB at 1M`) : undefined;
    report.add({ name, ...base, unit: 'B/file', project: summarize(xs), peer: 'fdir + statSync', peerResult: fdir.length ? summarize(fdir) : null, skipped: fdir.length ? undefined : 'not installed' }, goal);
    report.add({ name, ...base, unit: 'B/file', project: summarize(xs), peer: everything, peerResult: summarize([75]) });
  }
}
