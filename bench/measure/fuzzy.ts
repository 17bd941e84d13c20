/**
 * Fuzzy find, per query, end to end from the TypeScript API: `workspace.findFiles(q)` in main,
 * through validation, the pipe and the sidecar's FST matcher, back to a parsed result. Peers get
 * the same file list (the corpus's files, relative paths): `fzf --filter` as a process fed the list
 * on stdin (what a Node app shelling out to fzf pays), and npm `fzf` in process (list loaded once,
 * only the query timed). The query list is fixed so every run asks the same questions.
 *
 * "Extending keystrokes" types TYPED letter by letter, one request per prefix as a quick-open box
 * sends them, and times every keystroke after the first (each extends the previous query by one
 * letter, which the sidecar answers from the previous query's survivors); the peers get the same
 * prefixes: fzf --filter as a fresh process each time (what shelling out costs), npm fzf in process
 * with its list loaded once.
 */
import { capture } from '../lib/proc';
import { peerImport } from '../lib/peers';
import { goals, type Report } from '../lib/report';
import { openSession, startAndIndex } from '../lib/sidecar';
import { nowMs, pcts, roundSummary } from '../lib/stats';
import type { Tools } from '../setup';
import type { Corpus } from './corpus';

export const QUERIES = [
  'index', 'readme', 'pkgjson', 'tsconfig', 'button', 'utils', 'editormain', 'compiler', 'iconsmat', 'routertsx',
  'handlerts', 'cdkcore', 'datefns', 'servicets', 'testts', 'mapjs', 'lodashget', 'dts', 'xqzv', 'src/core/index',
];

/** Queries typed letter by letter for the extending-keystrokes row (short and long, with a `/`). */
export const TYPED = ['editormain', 'routertsx', 'lodashget', 'iconsmat', 'servicets', 'src/core/index'];

/** Every prefix of each typed query from two letters on: the keystrokes that extend a query. */
export function extendingKeystrokes(typed: string[] = TYPED): Array<{ query: string; first: boolean }> {
  return typed.flatMap((q) => [...q].map((_, i) => ({ query: q.slice(0, i + 1), first: i === 0 })));
}

/** One round's p50 and p99 over every query. */
export async function measureFuzzy(report: Report, corpus: Corpus, tools: Tools, rounds: number, goalMs: number | undefined): Promise<void> {
  const list = await capture('rg', ['--files', '-uu'], undefined, { cwd: corpus.root }).catch(() => capture('find', ['.', '-type', 'f'], undefined, { cwd: corpus.root }));
  const paths = list.out.split('\n').filter(Boolean).map((p) => p.replace(/^\.\//, ''));
  const input = Buffer.from(paths.join('\n') + '\n');
  const s = openSession(corpus.root, { noIgnore: true });
  const project: Array<{ p50: number; p99: number }> = [];
  const fzfCli: Array<{ p50: number; p99: number }> = [];
  const fzfNpm: Array<{ p50: number; p99: number }> = [];
  try {
    const { files } = await startAndIndex(s);
    let FzfCtor: any;
    if (tools.available['fzf (npm)'] === true) FzfCtor = (await peerImport('fzf', 'dist/fzf.es.js')).Fzf;
    const npmFinder = FzfCtor ? new FzfCtor(paths, { limit: 50 }) : undefined;
    for (const q of QUERIES) await s.workspace.findFiles(q); // warm-up: page in the FST
    // npm fzf takes seconds per query at 1M files: one round of the peers there keeps the run bounded.
    const peerRounds = paths.length > 500_000 ? 1 : rounds;
    for (let r = 0; r < rounds; r++) {
      const xs: number[] = [];
      for (const q of QUERIES) {
        const t = nowMs();
        await s.workspace.findFiles(q, { limit: 50 });
        xs.push(nowMs() - t);
      }
      project.push(pcts(xs));
      if (tools.available.fzf === true && r < peerRounds) {
        const ys: number[] = [];
        for (const q of QUERIES) ys.push((await capture('fzf', ['--filter', q], input)).ms);
        fzfCli.push(pcts(ys));
      }
      if (npmFinder && r < peerRounds) {
        const zs: number[] = [];
        for (const q of QUERIES) {
          const t = nowMs();
          npmFinder.find(q);
          zs.push(nowMs() - t);
        }
        fzfNpm.push(pcts(zs));
      }
    }
    const base = { corpus: corpus.label, corpusFiles: files };
    // Letter by letter: every keystroke is a request; the first letter of each is a fresh query
    // (timed, not reported here: the rows above cover fresh queries).
    const keys = extendingKeystrokes();
    const typedProject: Array<{ p50: number; p99: number }> = [];
    const typedCli: Array<{ p50: number; p99: number }> = [];
    const typedNpm: Array<{ p50: number; p99: number }> = [];
    // At 1M files each peer takes seconds per keystroke (53 of them, ~10 minutes in all): the
    // peers type only at 117k, where the same rows compare them.
    const typedPeers = paths.length <= 500_000;
    for (let r = 0; r < rounds; r++) {
      const xs: number[] = [];
      for (const k of keys) {
        const t = nowMs();
        await s.workspace.findFiles(k.query, { limit: 50 });
        if (!k.first) xs.push(nowMs() - t);
      }
      typedProject.push(pcts(xs));
      if (typedPeers && tools.available.fzf === true && r < peerRounds) {
        const ys: number[] = [];
        for (const k of keys) {
          const ms = (await capture('fzf', ['--filter', k.query], input)).ms;
          if (!k.first) ys.push(ms);
        }
        typedCli.push(pcts(ys));
      }
      if (typedPeers && npmFinder && r < peerRounds) {
        const zs: number[] = [];
        for (const k of keys) {
          const t = nowMs();
          npmFinder.find(k.query);
          if (!k.first) zs.push(nowMs() - t);
        }
        typedNpm.push(pcts(zs));
      }
    }
    for (const which of ['p50', 'p99'] as const) {
      const goal = goalMs ? goals.atMost(goalMs, `≤ ${goalMs} ms`) : undefined;
      const name = `fuzzy find ${which} (${QUERIES.length} queries)`;
      const skip = (k: string) => (tools.available[k] === true ? undefined : String(tools.available[k]));
      report.add({ name, ...base, unit: 'ms', project: roundSummary(project, which), peer: 'fzf --filter', peerResult: fzfCli.length ? roundSummary(fzfCli, which) : null, skipped: skip('fzf') }, goal);
      report.add({ name, ...base, unit: 'ms', project: roundSummary(project, which), peer: 'fzf (npm) in process', peerResult: fzfNpm.length ? roundSummary(fzfNpm, which) : null, skipped: skip('fzf (npm)') }, goal);
    }
    // The goals for a one-letter extension: ≤ 10 ms at 1M files; ≤ 5 ms (every query) at 117k.
    const extendGoalMs = goalMs === undefined ? undefined : goalMs > 5 ? 10 : 5;
    for (const which of ['p50', 'p99'] as const) {
      const goal = extendGoalMs ? goals.atMost(extendGoalMs, `≤ ${extendGoalMs} ms`) : undefined;
      const n = keys.filter((k) => !k.first).length;
      const name = `fuzzy find extending keystroke ${which} (${n} keys)`;
      const skip = (k: string) => (!typedPeers ? 'peers type only at 117k (seconds per keystroke at 1M)' : tools.available[k] === true ? undefined : String(tools.available[k]));
      report.add({ name, ...base, unit: 'ms', project: roundSummary(typedProject, which), peer: 'fzf --filter', peerResult: typedCli.length ? roundSummary(typedCli, which) : null, skipped: skip('fzf') }, goal);
      report.add({ name, ...base, unit: 'ms', project: roundSummary(typedProject, which), peer: 'fzf (npm) in process', peerResult: typedNpm.length ? roundSummary(typedNpm, which) : null, skipped: skip('fzf (npm)') }, goal);
    }
  } finally {
    await s.close();
  }
}
