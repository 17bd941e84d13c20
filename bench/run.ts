/**
 * `npm run bench`: the sidecar measured side by side with the tools a user would pick instead, in
 * the same invocation on the same files. It sets up the peers, prepares the corpora in a scratch
 * folder outside the repository, runs every suite, prints one table and, with `--json <file>`,
 * writes the same rows as JSON. Medians of several rounds with min/max; ratios are what count on
 * a shared, noisy machine. See bench/README.md for how to read the table.
 */
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateCorpus } from './corpus/generate';
import { installAnalysisCorpus } from './corpus/analysis';
import { installNpmCorpus } from './corpus/npm';
import { parseOptions, type Options } from './lib/options';
import { repoRoot } from './lib/proc';
import { writeChart } from './lib/chart';
import { Report } from './lib/report';
import { releaseBinary } from './lib/sidecar';
import { nowMs } from './lib/stats';
import { measureAnalysis, type AnalysisTarget } from './measure/analysis';
import type { Corpus } from './measure/corpus';
import { measureColdIndex } from './measure/index-cold';
import { measureWarmIgnoreRows, measureWarmIndex } from './measure/index-warm';
import { measureFuzzy } from './measure/fuzzy';
import { measureHash } from './measure/hash';
import { measureProtocol } from './measure/protocol';
import { measureRanking } from './measure/ranking';
import { measureReadFile } from './measure/read-file';
import { measureReaper } from './measure/reaper';
import { measureRemote } from './measure/remote';
import { measureSearch } from './measure/search';
import { measureSearchFirstMatch } from './measure/search-first';
import { measureWatch } from './measure/watch';
import { measureWatchIgnored } from './measure/watch-ignored';
import { setup, type Tools } from './setup';

function prepareCorpora(o: Options, report: Report): Corpus[] {
  if (o.corpus) return [{ label: path.basename(o.corpus), root: o.corpus, files: 0, kind: 'custom' }];
  const out: Corpus[] = [];
  if (!o.quick) {
    const npm = installNpmCorpus(o.work);
    report.note(npm.reused ? 'npm corpus: reused the install in the scratch folder' : `npm corpus: npm ci took ${npm.seconds.toFixed(1)} s`);
    out.push({ label: 'npm', root: npm.root, files: 0, kind: 'npm' });
  }
  const gen = generateCorpus(o.work, o.genFiles);
  report.note(`generated corpus: ${gen.files} files ${gen.reused ? `reused (generating took ${gen.seconds.toFixed(1)} s)` : `in ${gen.seconds.toFixed(1)} s`}`);
  out.push({ label: `generated ${gen.files >= 1e6 ? `${(gen.files / 1e6).toFixed(2)}M` : `${Math.round(gen.files / 1000)}k`}`, root: gen.root, files: gen.files, kind: 'generated' });
  return out;
}

/** A tiny workspace for the protocol and readFile rows, where the index plays no part. */
function tinyWorkspace(work: string): string {
  const dir = path.join(work, 'tiny');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'a.txt'), 'hello\n');
  return dir;
}

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  let commit = '';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    commit = 'unknown';
  }
  return { cpu: cpus[0]?.model, cores: cpus.length, memGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, node: process.version, commit, loadavg: os.loadavg().map((x) => +x.toFixed(2)) };
}

async function suite(report: Report, name: string, o: Options, fn: () => Promise<unknown>): Promise<void> {
  if (o.only.length && !o.only.includes(name)) return;
  try {
    await fn();
  } catch (e) {
    report.note(`suite ${name} failed: ${(e as Error).stack ?? e}`);
  }
}

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  const started = nowMs();
  if (!fs.existsSync(releaseBinary)) {
    console.error(`no release binary at ${releaseBinary}: run cargo build --profile profiling --workspace (npm run bench does)`);
    return 2;
  }
  fs.mkdirSync(o.work, { recursive: true });
  const report = new Report();
  const before = machine();
  console.log(`bench: ${o.quick ? 'quick' : 'full'} run, scratch folder ${o.work}; ${before.cores} × ${before.cpu}, load ${String(before.loadavg)}`);
  const tools: Tools = setup(o.work);
  // The ranking, protocol, read and hash suites bring their own files: `--only ranking` prepares no corpus.
  const corpusSuites = ['index', 'fuzzy', 'search', 'watch', 'remote'];
  const corpora = o.only.length && !o.only.some((s) => corpusSuites.includes(s)) ? [] : prepareCorpora(o, report);
  const tiny = tinyWorkspace(o.work);
  const q = o.quick;
  for (const c of corpora) {
    const big = c.kind === 'generated' && !q;
    console.log(`\n== ${c.label}: ${c.root}`);
    await suite(report, 'index', o, async () => {
      c.files = await measureColdIndex(report, c, tools, q ? 3 : big ? 3 : 5, big ? 120 : undefined);
      // The catch-up row changes files, so only on the generated tree, never the pinned npm corpus.
      await measureWarmIndex(report, c, tools, q ? 2 : 3, o.work, c.kind === 'generated');
      await measureWarmIgnoreRows(report, c, q ? 2 : 3, o.work);
    });
    await suite(report, 'fuzzy', o, () => measureFuzzy(report, c, tools, q || big ? 3 : 5, big || c.files > 200_000 ? 40 : 5));
    if (c.kind !== 'generated' || q) {
      await suite(report, 'search', o, async () => {
        await measureSearch(report, c, tools, q ? 3 : 5);
        await measureSearchFirstMatch(report, c, tools, q ? 3 : 10);
      });
      await suite(report, 'watch', o, async () => {
        await measureWatch(report, c, tools, q ? 1 : 3, q ? 30 : 100, 10_000);
        await measureWatchIgnored(report, c, o.work, tools, q ? 1 : 3);
      });
    }
  }
  if (!o.only.length || o.only.includes('ranking')) console.log('\n== ranking: four real repositories\' file lists (bench/corpus/ranking)');
  await suite(report, 'ranking', o, () => measureRanking(report, tools, o.work, q ? 25 : 50));
  console.log('\n== tiny workspace (protocol, readFile)');
  await suite(report, 'protocol', o, () => measureProtocol(report, tiny, tools, q ? 3 : 5, q ? 1000 : 3000, q ? 5000 : 20000));
  await suite(report, 'read', o, () => measureReadFile(report, tiny, q ? 8 : 20));
  console.log('\n== content hashes: a set of small sources and large assets');
  await suite(report, 'hash', o, () => measureHash(report, o.work, tools, q ? 3 : 5, q));
  await suite(report, 'reaper', o, () => measureReaper(report, tiny, q ? 3 : 7, q ? 300 : 1000));
  if (!o.only.length || o.only.includes('analysis')) {
    console.log('\n== analysis: the TypeScript sidecar on real TS/JS from pinned npm packages (bench/corpus/analysis)');
    await suite(report, 'analysis', o, async () => {
      const corpus = installAnalysisCorpus(o.work);
      report.note(corpus.reused ? 'analysis corpus: reused the install in the scratch folder' : `analysis corpus: npm ci took ${corpus.seconds.toFixed(1)} s`);
      // tsserver loads the small corpus as one project; at 30k files it would need minutes and gigabytes.
      const targets: AnalysisTarget[] = [
        { label: 'analysis rxjs', root: corpus.small, tsserver: true },
        { label: 'analysis 10k', root: corpus.tenK, tsserver: false, rssGoal: true },
      ];
      if (!q) targets.push({ label: 'analysis npm', root: corpus.root, tsserver: false });
      for (const t of targets) {
        console.log(`-- ${t.label}: ${t.root}`);
        await measureAnalysis(report, o.work, t, q ? 2 : 3, q);
      }
    });
  }
  const remoteCorpus = corpora.find((c) => c.kind !== 'generated') ?? corpora[0];
  if (remoteCorpus) {
    console.log(`\n== remote: ssh to localhost (tiny workspace, ${remoteCorpus.label})`);
    await suite(report, 'remote', o, () => measureRemote(report, tiny, remoteCorpus, o.work, q ? 3 : 5, q ? 500 : 2000));
  }

  const seconds = (nowMs() - started) / 1000;
  const after = machine();
  console.log(`\n${report.table()}\n`);
  for (const n of report.notes) console.log(`note: ${n}`);
  console.log(`\nbench: ${seconds.toFixed(0)} s on ${after.cores} × ${after.cpu} (${after.memGiB} GiB, ${after.os}, node ${after.node}); load before ${String(before.loadavg)}, after ${String(after.loadavg)}`);
  if (o.json) {
    report.writeJson(o.json, { quick: o.quick, date: new Date().toISOString(), seconds, machine: after, loadBefore: before.loadavg, corpora: corpora.map((c) => ({ label: c.label, files: c.files, kind: c.kind })) });
    console.log(`bench: wrote ${o.json}`);
  }
  if (o.svg) {
    writeChart(o.svg, report.rows, `skaffa-workspace vs peers, ${o.quick ? 'quick' : 'full'} run, ${after.cores} × ${after.cpu}, ${new Date().toISOString().slice(0, 10)}`);
    console.log(`bench: wrote ${o.svg}`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
