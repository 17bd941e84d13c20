/**
 * The bench's own setup step, so `npm run bench` works from a fresh clone: it installs the Debian
 * peers (ripgrep, fd-find, fzf, xxhash, b3sum) with apt-get when they are missing, installs the npm peers into
 * bench/peers/node_modules from their lockfile (never into the root package), and compiles the C
 * NDJSON echo child into the scratch folder. A peer that cannot be had is not an error: it is
 * recorded with the reason, and every row that needs it says "skipped: <reason>".
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasPeer } from './lib/peers';
import { benchSrc, hasCommand, peersDir } from './lib/proc';

/** For each peer: `true` when usable, else the reason it is skipped. */
export type Availability = Record<string, true | string>;

export interface Tools {
  available: Availability;
  /** The compiled C echo child, when `cc` worked. */
  echoBinary?: string;
}

const debianPeers: Array<{ pkg: string; cmd: string }> = [
  { pkg: 'ripgrep', cmd: 'rg' },
  { pkg: 'fd-find', cmd: 'fdfind' },
  { pkg: 'fzf', cmd: 'fzf' },
  // The content-hash suite's references: xxh3-128 (the sidecar's hash) and BLAKE3.
  { pkg: 'xxhash', cmd: 'xxhsum' },
  { pkg: 'b3sum', cmd: 'b3sum' },
];
// @codingame/monaco-vscode-api ships VS Code's compiled modules, among them the quick-open scorer
// (vs/base/common/fuzzyScorer.js) that the ranking suite compares with.
const npmPeers = ['fdir', 'fast-glob', 'fzf', 'chokidar', '@parcel/watcher', 'vscode-jsonrpc', '@codingame/monaco-vscode-api'];

function quiet(cmd: string, args: string[], cwd?: string): { ok: boolean; err: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { ok: r.status === 0, err: (r.error?.message ?? r.stderr ?? '').trim().split('\n').slice(-3).join(' ') };
}

function installDebian(available: Availability): void {
  const missing = debianPeers.filter((p) => !hasCommand(p.cmd));
  if (missing.length > 0) {
    const root = process.getuid?.() === 0;
    const sudo = root ? [] : hasCommand('sudo') ? ['sudo', '-n'] : null;
    if (sudo && hasCommand('apt-get')) {
      console.log(`setup: apt-get install ${missing.map((p) => p.pkg).join(' ')}`);
      const [c, ...pre] = [...sudo, 'apt-get'];
      quiet(c, [...pre, 'update', '-qq']);
      for (const p of missing) {
        const r = quiet(c, [...pre, 'install', '-y', '-qq', p.pkg]);
        if (!r.ok) available[p.cmd] = `apt-get install ${p.pkg} failed: ${r.err.slice(0, 120)}`;
      }
    }
  }
  for (const p of debianPeers) {
    if (available[p.cmd] === undefined) available[p.cmd] = hasCommand(p.cmd) ? true : `${p.cmd} not installed (Debian package ${p.pkg})`;
  }
}

function installNpm(available: Availability): void {
  const lock = path.join(peersDir, 'package-lock.json');
  const stamp = path.join(peersDir, 'node_modules', '.bench-lock');
  const want = fs.readFileSync(lock, 'utf8');
  const have = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8') : '';
  if (have !== want || !npmPeers.every(hasPeer)) {
    console.log('setup: npm ci --prefix bench/peers (the npm peers)');
    // --ignore-scripts: @parcel/watcher's script only builds from source when no prebuilt fits.
    const r = quiet('npm', ['ci', '--prefix', peersDir, '--ignore-scripts', '--no-audit', '--no-fund']);
    if (r.ok) fs.writeFileSync(stamp, want);
    else console.log(`setup: npm ci for the peers failed: ${r.err}`);
  }
  for (const p of npmPeers) {
    const key = p === 'fzf' ? 'fzf (npm)' : p;
    available[key] = hasPeer(p) ? true : `npm package ${p} not installed (npm ci --prefix bench/peers failed)`;
  }
}

function compileEcho(work: string, available: Availability): string | undefined {
  const out = path.join(work, 'bin', 'ndjson-echo');
  const src = path.join(benchSrc, 'peers', 'echo.c');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  if (!hasCommand('cc')) {
    available['raw C echo'] = 'no C compiler (cc)';
    return undefined;
  }
  const r = quiet('cc', ['-O2', '-o', out, src]);
  available['raw C echo'] = r.ok ? true : `cc failed: ${r.err}`;
  return r.ok ? out : undefined;
}

export function setup(work: string): Tools {
  const available: Availability = {};
  installDebian(available);
  installNpm(available);
  const echoBinary = compileEcho(work, available);
  const skipped = Object.entries(available).filter(([, v]) => v !== true);
  console.log(`setup: peers ready${skipped.length ? `; skipped: ${skipped.map(([k, v]) => `${k} (${v})`).join(', ')}` : ''}`);
  return { available, echoBinary };
}
