/**
 * Harness for the CLI end-to-end tests: makes sure `cli/dist/main.js` is built from the
 * current sources (compiling once under a lock, since jest runs test files in parallel), creates
 * a small generated workspace, runs the compiled CLI as a real child process, and polls with
 * generous deadlines instead of sleeping. It also finds sidecar processes by their `--root`, so a
 * test can prove none is left behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../..');
export const CLI = path.join(REPO, 'cli/dist/main.js');
const SOURCE_DIRS = ['cli', 'registry', 'core', 'sidecars/workspace', 'sidecars/markdown', 'sidecars/typescript'];

/** The files of the test workspace (the ignored ones prove .gitignore is honoured). */
export const TREE: Record<string, string> = {
  'README.md': '# Test tree\nA small folder for the CLI tests.\n',
  'src/supervisor.ts': 'export class Supervisor {\n  // TODO: restart on crash\n}\n',
  'src/registry/index.ts': 'export const registry = new Map();\n',
  'docs/guide.md': 'Read this first.\nThe needle is here.\n',
  'notes/todo.txt': 'TODO: one\nnothing to do\nsee TODOS below\n',
  '.gitignore': 'build/\n',
  'build/out.txt': 'TODO: ignored\n',
};

/** Creates a temp folder with `tree` (`TREE` by default); returns its real path. */
export function makeTree(tree: Record<string, string> = TREE): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-cli-')));
  for (const [rel, content] of Object.entries(tree)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}

/** Compiles the project when the CLI's output is older than any source it depends on. */
export function ensureBuilt(): void {
  if (isFresh()) return;
  const lock = path.join(REPO, 'dist', '.cli-test-build.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${lock}; remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // another test file is compiling
    }
  }
  try {
    if (isFresh()) return;
    try {
      // The CLI package and the library it imports, as `npm run cli` builds them (incremental).
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', path.join(REPO, 'cli')], { cwd: REPO, stdio: 'pipe' });
    } catch (e) {
      // tsc still emits when another part of the tree has type errors; only a stale CLI is fatal.
      if (!isFresh()) throw new Error(`tsc failed and the CLI is not built:\n${(e as { stdout?: Buffer }).stdout?.toString() ?? e}`);
    }
  } finally {
    fs.rmdirSync(lock);
  }
}

function isFresh(): boolean {
  let built: number;
  try {
    built = fs.statSync(CLI).mtimeMs;
  } catch {
    return false;
  }
  const newest = (dir: string): number => {
    let max = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !['src', 'target', 'dist', 'node_modules'].includes(e.name)) max = Math.max(max, newest(p));
      else if (e.isFile() && (p.endsWith('.ts') || p.endsWith('.json')) && !p.endsWith('.d.ts')) max = Math.max(max, fs.statSync(p).mtimeMs);
    }
    return max;
  };
  return SOURCE_DIRS.every((d) => newest(path.join(REPO, d)) <= built);
}

/** The outcome of one CLI run. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI with `args`; stdin is a pipe (never a TTY) so a bare call cannot go interactive. */
export function startCli(args: string[], env: Record<string, string | undefined> = {}): ChildProcess & { out: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  }) as ChildProcess & { out: { stdout: string; stderr: string } };
  child.out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (child.out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (child.out.stderr += d.toString()));
  return child;
}

/** Resolves when `child` has exited and its output is fully read. */
export function exited(child: ReturnType<typeof startCli>): Promise<CliResult> {
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, ...child.out }));
  });
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return exited(startCli(args, env));
}

/** Polls `check` until it returns a truthy value, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Pids of live `skaffa-workspace` processes serving `root` (Linux /proc). */
export function sidecarPids(root: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const state = /State:\s+(\S)/.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (state !== 'Z' && argv[0]?.endsWith('skaffa-workspace') && argv.includes(root)) pids.push(Number(entry));
    } catch {
      /* the process ended while we looked */
    }
  }
  return pids;
}
