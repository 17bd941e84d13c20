/**
 * inotify watches on a project whose `node_modules` is ignored: the tree is a small project
 * (`src/`, `docs/`, a `.gitignore` naming `node_modules/`) with the corpus hard-linked in as its
 * `node_modules` (`cp -al`, built once in the scratch folder). Project: the sidecar with its
 * default rules, from spawn until the first index is ready (its watches are placed by that walk),
 * then the `inotify wd:` lines in /proc/<pid>/fdinfo. Peers, in the same run: chokidar and
 * @parcel/watcher in a child process each, with `node_modules` ignored as each allows. The
 * floor is one watch per folder outside `node_modules` (the note gives that count).
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tools } from '../setup';
import { sidecarPid } from '../lib/proc';
import type { Report } from '../lib/report';
import { openSession, startAndIndex } from '../lib/sidecar';
import { summarize } from '../lib/stats';
import { inotifyWatches } from '../lib/watch-scenario';
import type { Corpus } from './corpus';

const child = path.join(__dirname, '..', 'peers', 'watch-count-child.js');

/** Folders (and files per folder) of the project part, outside `node_modules`. */
const PROJECT_DIRS = 60;
const PROJECT_FILES = 10;

/** Builds (or reuses) the tree; returns its root and how many folders lie outside node_modules. */
function prepareTree(work: string, corpus: Corpus): { root: string; projectDirs: number } {
  const root = path.join(work, `watch-ignored-${corpus.kind}-${corpus.files}`);
  const stamp = `${root}.stamp`;
  const projectDirs = 1 + 2 + PROJECT_DIRS; // the root, src/ and docs/, and the folders below src/
  if (fs.existsSync(stamp)) return { root, projectDirs };
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, '.gitignore'), 'node_modules/\n');
  fs.mkdirSync(path.join(root, 'docs'));
  fs.writeFileSync(path.join(root, 'docs', 'readme.md'), '# project\n');
  for (let d = 0; d < PROJECT_DIRS; d++) {
    const dir = path.join(root, 'src', `module${d}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < PROJECT_FILES; f++) fs.writeFileSync(path.join(dir, `file${f}.ts`), `export const x${f} = ${d};\n`);
  }
  // The npm corpus is a project already (its own node_modules); the generated one becomes one.
  const modules = corpus.kind === 'npm' ? path.join(corpus.root, 'node_modules') : corpus.root;
  execFileSync('cp', ['-al', modules, path.join(root, 'node_modules')]);
  fs.writeFileSync(stamp, new Date().toISOString());
  return { root, projectDirs };
}

function peerRun(kind: string, root: string): Promise<{ readyMs: number; watches: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--max-old-space-size=8192', child, kind, root], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${kind} watch-count child exited ${code}`))));
  });
}

export async function measureWatchIgnored(report: Report, corpus: Corpus, work: string, tools: Tools, rounds: number): Promise<void> {
  if (process.platform !== 'linux') return;
  const { root, projectDirs } = prepareTree(work, corpus);
  const peers = [
    { name: 'chokidar (ignored: node_modules)', key: 'chokidar', kind: 'chokidar' },
    { name: '@parcel/watcher (ignore: node_modules)', key: '@parcel/watcher', kind: 'parcel' },
  ];
  const project: number[] = [];
  const counts = new Map<string, number[]>(peers.map((p) => [p.name, []]));
  for (let i = 0; i < rounds; i++) {
    const s = openSession(root);
    try {
      await startAndIndex(s);
      // The sidecar's own watches, not those of the reaper it runs under (it holds none).
      project.push(inotifyWatches(sidecarPid(s.pid()) ?? 0));
    } finally {
      await s.close();
    }
    for (const p of peers) {
      if (tools.available[p.key] === true) counts.get(p.name)!.push((await peerRun(p.kind, root)).watches);
    }
  }
  for (const p of peers) {
    const xs = counts.get(p.name)!;
    const skipped = tools.available[p.key] === true ? undefined : String(tools.available[p.key]);
    report.add({
      name: 'inotify watches, node_modules ignored',
      corpus: `${corpus.label} as node_modules`,
      corpusFiles: corpus.files,
      unit: 'watches',
      project: summarize(project),
      peer: p.name,
      peerResult: xs.length ? summarize(xs) : null,
      skipped,
      note: `${projectDirs} folders outside node_modules`,
    });
  }
}
