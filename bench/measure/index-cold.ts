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
import { timeCommand, rssMb } from '../lib/proc';
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
  let files = 0;
  // Warm-up: one walk by fd (or find) so the first measured tool does not pay for a cold page cache.
  await timeCommand('find', [corpus.root, '-type', 'f']);
  for (let i = 0; i < rounds; i++) {
    const s = openSession(corpus.root, { noIgnore: true });
    try {
      const t0 = nowMs();
      const r = await startAndIndex(s);
      project.push(r.ms);
      complete.push(await waitMetadata(s, t0));
      rss.get('project')!.push(rssMb(s.pid()));
      files = r.files;
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
