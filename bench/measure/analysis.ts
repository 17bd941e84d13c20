/**
 * The analysis suite's cold rows: the TypeScript sidecar's first index (parse + graph + symbols,
 * spawn → `status.state` ready) in files/s and MB/s of the files it parses, against the tools a
 * user would run instead over the same tree: TypeScript's own `createSourceFile` (parse only, in a
 * child Node process), madge (the import graph) and universal-ctags (symbols; it has no TSX). Then
 * RSS after the index. The live rows (symbols, save → importers) are in `analysis-live.ts`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analysedFiles } from '../corpus/analysis';
import { capture, hasCommand, peersDir, rssMb, timeCommand } from '../lib/proc';
import { goals, type Goal, type Report } from '../lib/report';
import { TsSidecar, typescriptBinary } from '../lib/ts-sidecar';
import { nowMs, summarize } from '../lib/stats';
import { measureAnalysisLive } from './analysis-live';

export interface AnalysisTarget {
  label: string;
  root: string;
  /** Whether tsserver loads it as one project for the navto peer (too big a project is skipped). */
  tsserver: boolean;
  /** Whether the RSS goal (set at 10k files) is judged on this target. */
  rssGoal?: boolean;
}

const GOAL_FILES_PER_S = 5_000;
const GOAL_TS_RATIO = 5;
const GOAL_RSS_MB = 60;

interface Peer {
  peer: string;
  ms: number[];
  skipped?: string;
  note?: string;
}

/** A peer run in a child process, stopped after `limitMs`: NaN for a run that did not finish. */
async function timed(cmd: string, args: string[], cwd: string, limitMs: number): Promise<number> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), limitMs);
  try {
    return await timeCommand(cmd, args, { cwd, signal: ac.signal, killSignal: 'SIGKILL' });
  } catch (e) {
    if (ac.signal.aborted) return NaN;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

export async function measureAnalysis(report: Report, work: string, target: AnalysisTarget, rounds: number, quick: boolean): Promise<void> {
  if (!fs.existsSync(typescriptBinary)) throw new Error(`no ${typescriptBinary}: run cargo build --profile profiling -p skaffa-typescript (npm run bench does)`);
  const { files, bytes } = analysedFiles(target.root);
  const mb = bytes / 2 ** 20;
  const listFile = path.join(work, `analysis-${target.label.replace(/\W+/g, '-')}.list`);
  fs.writeFileSync(listFile, files.join('\n') + '\n');
  console.log(`  ${files.length} TS/JS files ≤ 1 MiB, ${mb.toFixed(0)} MB`);
  const project: number[] = [];
  const rss: number[] = [];
  let analysed = 0;
  for (let r = 0; r < rounds; r++) {
    const t = nowMs();
    const s = new TsSidecar(target.root);
    try {
      const st = await s.ready();
      project.push(nowMs() - t);
      rss.push(rssMb(s.pid));
      analysed = st.files;
      if (st.files !== files.length) report.note(`${target.label}: the sidecar analysed ${st.files} files, the bench counted ${files.length}`);
    } finally {
      await s.close();
    }
  }
  const peers: Peer[] = [];
  const tsParse: number[] = [];
  const tsRss: number[] = [];
  const child = path.join(__dirname, '..', 'peers', 'ts-parse-child.js');
  for (let r = 0; r < rounds; r++) {
    const out = JSON.parse((await capture(process.execPath, [child, target.root, listFile])).out) as { ms: number; rssMb: number };
    tsParse.push(out.ms);
    tsRss.push(out.rssMb);
  }
  peers.push({ peer: 'typescript 5.9 createSourceFile', ms: tsParse, note: 'parse only, files read before the clock starts' });
  // madge takes minutes on large trees: one round, stopped at a limit (then the row says so).
  const madge = path.join(peersDir, 'node_modules', 'madge', 'bin', 'cli.js');
  const limitMs = quick ? 60_000 : 180_000;
  if (fs.existsSync(madge)) {
    const ms = await timed(process.execPath, [madge, '--json', '--extensions', 'ts,tsx,mts,cts,js,jsx,mjs,cjs', '.'], target.root, limitMs);
    peers.push({ peer: 'madge 8.0.0 --json', ms: [ms], skipped: Number.isFinite(ms) ? undefined : `did not finish in ${limitMs / 1000} s` });
  } else peers.push({ peer: 'madge 8.0.0 --json', ms: [], skipped: 'madge not installed (npm ci --prefix bench/peers failed)' });
  if (hasCommand('ctags')) {
    const xs: number[] = [];
    for (let r = 0; r < rounds; r++) xs.push(await timed('ctags', ['-R', '-f', '-', '--languages=JavaScript,TypeScript', '.'], target.root, limitMs));
    peers.push({ peer: 'universal-ctags -R', ms: xs, note: 'ctags parses no .tsx (and .jsx as JavaScript)' });
  } else peers.push({ peer: 'universal-ctags -R', ms: [], skipped: 'ctags not installed (Debian universal-ctags)' });

  const base = { corpus: target.label, corpusFiles: analysed || files.length };
  const rate = (ms: number[], per: number) => summarize(ms.map((t) => per / (t / 1000)));
  for (const p of peers) {
    const skipped = p.skipped ?? (p.ms.length ? undefined : 'no run');
    const isTs = p.peer.startsWith('typescript');
    // Both halves of the goal at once: the rate itself and the ratio to TypeScript's parser.
    const goal: Goal | undefined = isTs
      ? { text: `≥ ${GOAL_FILES_PER_S} files/s, ≥ ${GOAL_TS_RATIO}× TS`, check: (s, r) => (r === null ? null : r >= GOAL_TS_RATIO && s.median >= GOAL_FILES_PER_S) }
      : undefined;
    report.add(
      {
        name: 'analysis cold index (parse + graph + symbols)',
        ...base,
        unit: 'files/s',
        project: rate(project, files.length),
        peer: p.peer,
        peerResult: skipped ? null : rate(p.ms, files.length),
        skipped,
        note: p.note,
      },
      goal,
    );
  }
  report.add({
    name: 'analysis cold index, MB/s of source',
    ...base,
    unit: 'MB/s',
    project: rate(project, mb),
    peer: 'typescript 5.9 createSourceFile',
    peerResult: rate(tsParse, mb),
  });
  report.add(
    {
      name: 'analysis RSS after index',
      ...base,
      unit: 'MB',
      project: summarize(rss),
      peer: 'typescript 5.9 createSourceFile (trees kept)',
      peerResult: summarize(tsRss),
      note: target.rssGoal ? undefined : 'the goal is set at 10k files (the analysis 10k row)',
    },
    target.rssGoal ? goals.atMost(GOAL_RSS_MB, `≤ ${GOAL_RSS_MB} MB at 10k files`) : undefined,
  );
  await measureAnalysisLive(report, target, files, quick ? 2 : 3, quick ? 30 : 100);
}
