/**
 * The analysis suite's live rows, on one running TypeScript sidecar with its first index done:
 * workspace symbols p50/p99 against tsserver's `navto` on the same queries with the same files
 * loaded as one project, and save → importers updated: a file is written, the change is fed as
 * main's feed would (`typescript/didChange`), and `importers` of the file it imports is polled
 * until the edge appears or goes. The watcher's own latency (the watch suite's row) comes on top.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { goals, type Report } from '../lib/report';
import { TsServer } from '../lib/tsserver';
import { TsSidecar } from '../lib/ts-sidecar';
import { nowMs, pcts, roundSummary } from '../lib/stats';
import type { AnalysisTarget } from './analysis';

/** Names a person looks for in this corpus (rxjs, MUI, antd, date-fns), a few fragments among them. */
export const SYMBOL_QUERIES = [
  'Observable', 'map', 'Subject', 'switchMap', 'pipe', 'Subscriber', 'Button', 'Table', 'Modal', 'format',
  'parseISO', 'addDays', 'useState', 'Tooltip', 'createTheme', 'styled', 'DatePicker', 'debounce', 'merge', 'sched',
];
const LIMIT = 100;
const GOAL_P50_MS = 5;
const GOAL_P99_MS = 20;
const GOAL_SAVE_P99_MS = 60;
const BENCH_DIR = '__skaffa_bench__';
let generation = 0;

interface Importers {
  importers: Array<{ path: string }>;
}

async function symbolRounds(ask: (q: string) => Promise<unknown>, rounds: number): Promise<Array<{ p50: number; p99: number }>> {
  const out: Array<{ p50: number; p99: number }> = [];
  for (let r = 0; r < rounds; r++) {
    const xs: number[] = [];
    for (const q of SYMBOL_QUERIES) {
      const t = nowMs();
      await ask(q);
      xs.push(nowMs() - t);
    }
    out.push(pcts(xs));
  }
  return out;
}

/** Writes `rel`, feeds the change and polls `importers` of `target` until `has(importer)` is `want`; ms. */
async function change(s: TsSidecar, root: string, rel: string, text: string | null, target: string, want: boolean): Promise<number> {
  const t = nowMs();
  const abs = path.join(root, rel);
  const existed = fs.existsSync(abs);
  if (text === null) fs.rmSync(abs);
  else fs.writeFileSync(abs, text);
  const type = text === null ? 'deleted' : existed ? 'changed' : 'created';
  // The workspace generation is not used by the sidecar (order comes from main) but is required.
  await s.call('didChange', { generation: ++generation, changes: [{ path: rel, type }] });
  for (let i = 0; ; i++) {
    const { importers } = await s.call<Importers>('importers', { path: target });
    if (importers.some((e) => e.path === rel) === want) return nowMs() - t;
    if (i > 10_000) throw new Error(`importers of ${target} never ${want ? 'listed' : 'dropped'} ${rel}`);
  }
}

export async function measureAnalysisLive(report: Report, target: AnalysisTarget, files: string[], rounds: number, saves: number): Promise<void> {
  const dir = path.join(target.root, BENCH_DIR);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  const targetRel = `${BENCH_DIR}/target.ts`;
  const importerRel = `${BENCH_DIR}/importer.ts`;
  fs.writeFileSync(path.join(target.root, targetRel), 'export const benchTarget = 1;\n');
  fs.writeFileSync(path.join(target.root, importerRel), 'export const unrelated = 2;\n');
  const base = { corpus: target.label, corpusFiles: files.length };
  const s = new TsSidecar(target.root);
  try {
    await s.ready();
    const project = await symbolRounds((q) => s.call('symbols', { query: q, limit: LIMIT }), rounds);
    let peer: Array<{ p50: number; p99: number }> = [];
    let skipped: string | undefined = 'tsserver is not loaded on a corpus this large (one project of every file)';
    if (target.tsserver) {
      const server = new TsServer(target.root);
      try {
        const t = nowMs();
        await server.openProject(target.root, files);
        await server.navto('Observable', LIMIT);
        report.note(`${target.label}: tsserver loaded the project and answered its first navto in ${((nowMs() - t) / 1000).toFixed(1)} s (not in the rows)`);
        peer = await symbolRounds((q) => server.navto(q, LIMIT), rounds);
        skipped = undefined;
      } catch (e) {
        skipped = `tsserver failed: ${(e as Error).message.slice(0, 100)}`;
      } finally {
        server.close();
      }
    }
    for (const which of ['p50', 'p99'] as const) {
      const ms = which === 'p50' ? GOAL_P50_MS : GOAL_P99_MS;
      report.add(
        {
          name: `analysis workspace symbols ${which} (${SYMBOL_QUERIES.length} queries, limit ${LIMIT})`,
          ...base,
          unit: 'ms',
          project: roundSummary(project, which),
          peer: 'tsserver navto (project loaded)',
          peerResult: peer.length ? roundSummary(peer, which) : null,
          skipped,
        },
        { text: `≤ ${ms} ms and below tsserver`, check: (p, r) => p.median <= ms && (r === null ? null : r < 1) },
      );
    }
    // Save: the importer gains and loses its import of the target, one write at a time.
    const edits: number[] = [];
    for (let i = 0; i < saves; i++) {
      const add = i % 2 === 0;
      const text = add ? `import { benchTarget } from './target';\nexport const uses = benchTarget + ${i};\n` : `export const unrelated = ${i};\n`;
      edits.push(await change(s, target.root, importerRel, text, targetRel, add));
    }
    // Create and delete: a new file importing the target comes, then goes.
    const layout: number[] = [];
    for (let i = 0; i < Math.ceil(saves / 4); i++) {
      const rel = `${BENCH_DIR}/new-${i}.ts`;
      layout.push(await change(s, target.root, rel, `import { benchTarget } from './target';\nexport default benchTarget;\n`, targetRel, true));
      layout.push(await change(s, target.root, rel, null, targetRel, false));
    }
    const rows = [
      { name: 'analysis save → importers updated', xs: edits, goal: true },
      { name: 'analysis create/delete → importers updated', xs: layout, goal: false },
    ];
    for (const r of rows) {
      for (const which of ['p50', 'p99'] as const) {
        report.add(
          {
            name: `${r.name} ${which} (${r.xs.length} writes)`,
            ...base,
            unit: 'ms',
            project: roundSummary([pcts(r.xs)], which),
            peer: '(no peer keeps a live import graph)',
            peerResult: null,
            note: 'write → typescript/didChange → importers polled until the edge changes; the watcher latency comes on top',
          },
          r.goal && which === 'p99' ? goals.atMost(GOAL_SAVE_P99_MS, `p99 ≤ ${GOAL_SAVE_P99_MS} ms`) : undefined,
        );
      }
    }
  } finally {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
