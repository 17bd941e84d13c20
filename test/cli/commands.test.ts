/**
 * End-to-end tests of the CLI's one-shot commands: the compiled `skaffa` runs as a child process
 * on a generated folder with the real workspace sidecar, and each test checks what a user or a
 * script would rely on: JSON output, exit codes, actionable error messages and the trace file.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBuilt, makeTree, REPO, runCli, TREE } from './cli-harness';

jest.setTimeout(60_000);

let root: string;
beforeAll(() => {
  ensureBuilt();
  root = makeTree();
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const json = (s: string) => JSON.parse(s) as any;

test('find --json puts the best fuzzy match first, with highlight positions', async () => {
  const r = await runCli(['--root', root, '--json', 'find', 'supvsr']);
  expect(r.code).toBe(0);
  const out = json(r.stdout);
  expect(out.matches[0].path).toBe('src/supervisor.ts');
  // Every position points at a query character, in order.
  expect(out.matches[0].positions.map((i: number) => out.matches[0].path[i]).join('')).toBe('supvsr');
});

test('find with no match exits 1 like grep, and still prints a JSON document', async () => {
  const r = await runCli(['--root', root, 'find', '--json', 'qqqzzzxxx']);
  expect(r.code).toBe(1);
  expect(json(r.stdout).matches).toEqual([]);
});

test('search --json finds every matching line with its match ranges, honouring .gitignore', async () => {
  const r = await runCli(['--root', root, '--json', 'search', '--case-sensitive', 'TODO']);
  expect(r.code).toBe(0);
  const hits = json(r.stdout).lines.map((l: any) => `${l.path}:${l.line}:${JSON.stringify(l.ranges)}`);
  expect(hits).toEqual(['notes/todo.txt:1:[[0,4]]', 'notes/todo.txt:3:[[4,8]]', 'src/supervisor.ts:2:[[5,9]]']);
});

test('search prints path:line:col text as the lines stream in, and a summary', async () => {
  const r = await runCli(['--root', root, 'search', '--case-sensitive', 'TODO']);
  expect(r.code).toBe(0);
  const printed = r.stdout.replace(/\u001b\[[0-9;]*m/g, '').trim().split('\n');
  expect(printed.map((l) => l.split(' ')[0])).toEqual(['notes/todo.txt:1:1', 'notes/todo.txt:3:5', 'src/supervisor.ts:2:6']);
  expect(r.stderr).toMatch(/3 matches on 3 lines in \d+ files searched/);
});

test('search flags: whole word and include narrow the results', async () => {
  const r = await runCli(['--root', root, '--json', 'search', '-s', '-w', '--include', '**/*.txt', 'TODO']);
  expect(r.code).toBe(0);
  expect(json(r.stdout).lines.map((l: any) => `${l.path}:${l.line}`)).toEqual(['notes/todo.txt:1']);
});

test('glob lists matching indexed files, one per line', async () => {
  const r = await runCli(['--root', root, 'glob', '**/*.md']);
  expect(r.code).toBe(0);
  expect(r.stdout.trim().split('\n').sort()).toEqual(['README.md', 'docs/guide.md']);
});

test('read prints the file exactly; --json adds size and hash', async () => {
  const plain = await runCli(['--root', root, 'read', 'docs/guide.md']);
  expect(plain.code).toBe(0);
  expect(plain.stdout).toBe(TREE['docs/guide.md']);
  const r = await runCli(['--root', root, '--json', 'read', 'docs/guide.md']);
  expect(json(r.stdout)).toMatchObject({ path: 'docs/guide.md', content: TREE['docs/guide.md'], size: TREE['docs/guide.md']!.length });
});

test('status --json reports the built index', async () => {
  const r = await runCli(['--root', root, '--json', 'status']);
  expect(r.code).toBe(0);
  // .gitignore itself is indexed; build/ is ignored.
  expect(json(r.stdout)).toMatchObject({ root, state: 'ready', files: Object.keys(TREE).length - 1 });
});

test('sidecars --json shows the workspace sidecar with its resolved binary and source', async () => {
  const r = await runCli(['--root', root, '--json', 'sidecars']);
  expect(r.code).toBe(0);
  const ws = json(r.stdout).find((s: any) => s.name === 'workspace');
  expect(ws.binary.path).toMatch(/skaffa-workspace(\.exe)?$/);
  expect(fs.existsSync(ws.binary.path)).toBe(true);
  expect(['env', 'dev']).toContain(ws.binary.source);
  expect(ws.methods).toContain('workspace/findFiles');
  expect(ws.state).toBe('idle');
});

test('the CLI runs the optimised release build even when a debug build is newer', async () => {
  const bin = (profile: string) => path.join(REPO, 'target', profile, process.platform === 'win32' ? 'skaffa-workspace.exe' : 'skaffa-workspace');
  if (!fs.existsSync(bin('release')) || process.env.SCAFFA_SIDECAR_PATH || process.env.SKAFFA_SIDECAR_WORKSPACE_PATH) {
    throw new Error('this test needs target/release (npm test builds it) and no sidecar path override in the environment');
  }
  if (fs.existsSync(bin('debug'))) fs.utimesSync(bin('debug'), new Date(), new Date());
  const r = await runCli(['--root', root, '--json', 'sidecars']);
  const ws = json(r.stdout).find((s: any) => s.name === 'workspace');
  expect(ws.binary).toMatchObject({ source: 'dev', path: bin('release') });
});

test('a later start recompiles nothing: the CLI and the library it imports are up to date', () => {
  const main = path.join(REPO, 'cli/dist/main.js');
  const before = fs.statSync(main).mtimeMs;
  // What `npm run cli` runs after cargo; `tsc -b` compares inputs with outputs and skips.
  const log = execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', '--verbose', path.join(REPO, 'cli')], { cwd: REPO, encoding: 'utf8' });
  expect(log).toMatch(/Project 'tsconfig\.lib\.json' is up to date/);
  expect(log).toMatch(/Project 'cli\/tsconfig\.json' is up to date/);
  expect(fs.statSync(main).mtimeMs).toBe(before);
});

test('call sends any method to any registered sidecar', async () => {
  const r = await runCli(['--root', root, 'call', 'workspace', 'workspace/status', '{}']);
  expect(r.code).toBe(0);
  expect(json(r.stdout).root).toBe(root);
});

test('call with invalid params exits 1 and shows the INVALID_PARAMS message', async () => {
  const r = await runCli(['--root', root, 'call', 'workspace', 'workspace/readFile', '{"pth":"README.md"}']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('INVALID_PARAMS');
  expect(r.stderr).toMatch(/required property 'path'/);
});

test('call with params that are not JSON is a usage error (exit 2)', async () => {
  const r = await runCli(['--root', root, 'call', 'workspace', 'workspace/status', '{oops']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/not valid JSON/);
});

test('a missing folder is a usage error (exit 2) that names the folder', async () => {
  const missing = path.join(root, 'no-such-folder');
  const r = await runCli(['--root', missing, 'status']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`folder not found: ${missing}`);
});

test('--trace writes readable NDJSON with both directions and timestamps', async () => {
  const file = path.join(os.tmpdir(), `skaffa-cli-trace-${process.pid}.ndjson`);
  try {
    const r = await runCli(['--root', root, '--trace', file, 'find', 'readme']);
    expect(r.code).toBe(0);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.every((l) => l.sidecar === 'workspace' && !Number.isNaN(Date.parse(l.time)))).toBe(true);
    const sent = lines.filter((l) => l.dir === '→').map((l) => l.message.method);
    const received = lines.filter((l) => l.dir === '←');
    expect(sent).toEqual(expect.arrayContaining(['$/ping', 'workspace/findFiles', '$/shutdown']));
    expect(received.some((l) => l.message.ok === true && Array.isArray(l.message.result?.matches))).toBe(true);
  } finally {
    fs.rmSync(file, { force: true });
  }
});

test('a binary that is not built is explained with the command that builds it', async () => {
  const r = await runCli(['--root', root, 'find', 'x'], { SCAFFA_SIDECAR_PATH: path.join(root, 'missing', 'skaffa-workspace') });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('BINARY_NOT_FOUND');
  expect(r.stderr).toContain('cargo build --workspace');
  expect(r.stderr).toContain(path.join(root, 'missing', 'skaffa-workspace'));
});

test('a crashing sidecar is explained with its last stderr lines; --verbose shows stderr by name', async () => {
  const script = path.join(root, 'crashing-sidecar.sh');
  fs.writeFileSync(script, '#!/bin/sh\necho "boom: cannot open the index" >&2\nexit 3\n', { mode: 0o755 });
  try {
    const r = await runCli(['--root', root, '--verbose', 'find', 'x'], { SCAFFA_SIDECAR_PATH: script });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('crashed (exit code 3)');
    expect(r.stderr).toMatch(/last stderr lines:\n\s+boom: cannot open the index/);
    expect(r.stderr).toContain('[workspace] boom: cannot open the index');
  } finally {
    fs.rmSync(script, { force: true });
  }
});

test('an unknown command is a usage error (exit 2)', async () => {
  const r = await runCli(['--root', root, 'fnd', 'x']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/unknown command 'fnd'/);
});
