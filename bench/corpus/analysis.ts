/**
 * The analysis suite's corpus: real TypeScript and JavaScript nobody here wrote. The packages
 * pinned by bench/corpus/analysis/package-lock.json (rxjs, @mui/material, antd, date-fns and their
 * dependencies: TypeScript sources, .d.ts files, ES and CommonJS builds, ≈30k files) are
 * installed once with `npm ci --ignore-scripts` into the scratch folder, then hard-linked into a
 * tree without any `node_modules` segment (`ws/<package>/…`), so the analysis sidecar, which treats
 * `node_modules` as outside the workspace, and tsserver both see them as project files. A stamp
 * holding the lockfile's text makes later runs reuse both until the lockfile changes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchSrc, run } from '../lib/proc';
import { nowMs } from '../lib/stats';

export interface AnalysisCorpus {
  /** The whole tree (≈30k TS/JS files). */
  root: string;
  /** One package of it (rxjs, ≈1.3k files): the `--quick` corpus and the one tsserver loads. */
  small: string;
  /** Four packages of it hard-linked side by side (≈10k files): where the RSS goal is set. */
  tenK: string;
  seconds: number;
  reused: boolean;
}

export function installAnalysisCorpus(work: string): AnalysisCorpus {
  const dir = path.join(work, 'analysis-corpus');
  const root = path.join(dir, 'ws');
  const small = path.join(root, 'rxjs');
  const src = path.join(benchSrc, 'corpus', 'analysis');
  const lock = fs.readFileSync(path.join(src, 'package-lock.json'), 'utf8');
  const stamp = path.join(work, 'analysis-corpus.stamp');
  const tenK = path.join(dir, 'ws-10k');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === lock && fs.existsSync(small)) {
    linkTenK(root, tenK);
    return { root, small, tenK, seconds: 0, reused: true };
  }
  console.log('corpus: installing the analysis packages (npm ci --ignore-scripts) …');
  const t = nowMs();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  // --legacy-peer-deps: react is a peer of the UI kits and is not part of the corpus.
  const r = spawnSync('npm', ['ci', '--ignore-scripts', '--legacy-peer-deps', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`npm ci of the analysis corpus failed (exit ${r.status})`);
  run('cp', ['-al', path.join(dir, 'node_modules'), root]);
  linkTenK(root, tenK);
  fs.writeFileSync(stamp, lock);
  return { root, small, tenK, seconds: (nowMs() - t) / 1000, reused: false };
}

/** The packages of the ≈10k-file subset: 10,261 analysed files with the pinned lockfile. */
const TEN_K_PACKAGES = ['antd', 'date-fns', 'dayjs', 'dom-helpers'];

/** Hard-links the ≈10k-file subset out of `root` into `tenK`, unless it is there already. */
function linkTenK(root: string, tenK: string): void {
  if (fs.existsSync(tenK)) return;
  fs.mkdirSync(`${tenK}.tmp`, { recursive: true });
  for (const p of TEN_K_PACKAGES) run('cp', ['-al', path.join(root, p), path.join(`${tenK}.tmp`, p)]);
  fs.renameSync(`${tenK}.tmp`, tenK);
}

/** The extensions the sidecar analyses (issue 17, item 4). */
export const ANALYSED = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** Larger files are counted as skipped, not parsed. */
export const MAX_FILE_BYTES = 1 << 20;

/** The files under `root` the sidecar parses (workspace-relative, sorted) and their total bytes. */
export function analysedFiles(root: string): { files: string[]; bytes: number } {
  const files: string[] = [];
  let bytes = 0;
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(abs, r);
      else if (e.isFile() && ANALYSED.some((x) => e.name.endsWith(x))) {
        const size = fs.statSync(abs).size;
        if (size > MAX_FILE_BYTES) continue;
        files.push(r);
        bytes += size;
      }
    }
  };
  walk(root, '');
  return { files: files.sort(), bytes };
}
