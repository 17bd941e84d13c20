/**
 * Running peers as child processes: time a command from spawn to exit with its output thrown
 * away (so the terminal or a pipe never bounds a figure), capture a command's output, read a
 * process's resident memory from /proc, and locate the repository and the bench's own folders.
 */
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nowMs } from './stats';

/**
 * The repository root: the nearest folder with package.json and Cargo.toml above this file (the
 * compiled bench lives in bench/dist), else above the working directory.
 */
export const repoRoot: string = findRoot(__dirname) ?? findRoot(process.cwd()) ?? process.cwd();

function findRoot(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'Cargo.toml'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The bench's sources (package.json, lockfiles, C peer), not its compiled output. */
export const benchSrc = path.join(repoRoot, 'bench');

/** The npm peers' own package (package.json, lockfile, node_modules), apart from the bench package. */
export const peersDir = path.join(benchSrc, 'peers');

/** Whether an executable is on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a command to completion with stdout discarded; resolves with wall time in ms. */
export function timeCommand(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = nowMs();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = nowMs() - t;
      // grep-like tools exit 1 for "no match", which is not a failure here.
      if (code === 0 || code === 1) resolve(ms);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`));
    });
  });
}

/** Runs a command and returns its stdout (for fzf's filtered list, rg's match count, …). */
export function capture(cmd: string, args: string[], input?: string | Buffer, opts: SpawnOptions = {}): Promise<{ ms: number; out: string }> {
  return new Promise((resolve, reject) => {
    const t = nowMs();
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (d: Buffer) => chunks.push(d));
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = nowMs() - t;
      if (code === 0 || code === 1) resolve({ ms, out: Buffer.concat(chunks).toString() });
      else reject(new Error(`${cmd} exited ${code}: ${err}`));
    });
    child.stdin?.on('error', () => undefined); // fzf may exit before reading all input
    child.stdin?.end(input);
  });
}

/** Resident set size of a live process in MB, from /proc/<pid>/status (VmRSS). */
export function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Runs a shell-free command synchronously with inherited output; throws on failure. */
export function run(cmd: string, args: string[], opts: SpawnOptions = {}): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

/**
 * The workspace sidecar's own pid: under skaffa-reaper (the default) the supervised pid is the
 * reaper's, and the sidecar is its child.
 */
export function sidecarPid(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'skaffa-reaper') return pid;
    const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    return kids.find((k) => fs.readFileSync(`/proc/${k}/comm`, 'utf8').trim().startsWith('skaffa-workspac'));
  } catch {
    return undefined;
  }
}

/** VmRSS and VmHWM (peak since start or since the last reset) of a live process, in MB. */
export function memoryMb(pid: number | undefined): { rss: number; peak: number } {
  try {
    const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)?.[1] ?? NaN) / 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

/** Resets a process's VmHWM to its current RSS (Linux `clear_refs` 5), so a later peak is of what came after. */
export function resetPeak(pid: number | undefined): void {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // not permitted: the peak then covers the whole life of the process
  }
}

/** Resolves once the process has used no CPU for `quietMs` (its background work, such as the FST build, is done). */
export async function waitIdle(pid: number | undefined, quietMs = 1000, timeoutMs = 120_000): Promise<void> {
  const ticks = () => {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  const start = nowMs();
  let last = ticks();
  let since = nowMs();
  while (nowMs() - since < quietMs && nowMs() - start < timeoutMs) {
    await new Promise((r) => setTimeout(r, 50));
    const t = ticks();
    if (t !== last) [last, since] = [t, nowMs()];
  }
}
