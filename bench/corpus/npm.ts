/**
 * The real corpus: large npm packages nobody here wrote (monaco-editor, aws-cdk-lib, googleapis,
 * @mui/*, typescript, …, ≈117k files and 1.6 GB), pinned by bench/corpus/package-lock.json
 * and installed with `--ignore-scripts` into the scratch folder, never into the repository. A
 * stamp holding the lockfile's text makes later runs reuse the install until the lockfile changes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchSrc } from '../lib/proc';
import { nowMs } from '../lib/stats';

export interface NpmCorpus {
  root: string;
  seconds: number;
  reused: boolean;
}

export function installNpmCorpus(work: string): NpmCorpus {
  const root = path.join(work, 'npm-corpus');
  const src = path.join(benchSrc, 'corpus');
  const lock = fs.readFileSync(path.join(src, 'package-lock.json'), 'utf8');
  const stamp = path.join(work, 'npm-corpus.stamp');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === lock && fs.existsSync(path.join(root, 'node_modules'))) {
    return { root, seconds: 0, reused: true };
  }
  console.log('corpus: installing the pinned npm packages (npm ci --ignore-scripts) …');
  const t = nowMs();
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(src, f), path.join(root, f));
  // --legacy-peer-deps: the lockfile was made with it; peers of UI kits would otherwise conflict.
  const r = spawnSync('npm', ['ci', '--ignore-scripts', '--legacy-peer-deps', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`npm ci of the npm corpus failed (exit ${r.status})`);
  fs.writeFileSync(stamp, lock);
  return { root, seconds: (nowMs() - t) / 1000, reused: false };
}
