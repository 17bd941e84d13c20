/**
 * End-to-end tests of the CLI's code commands against the real typescript analysis sidecar: the
 * compiled `skaffa` runs `symbols`, `outline` and `importers` as a child process on a small React
 * tree, and quick open runs in process through `runInteractive` (the CLI's own session wiring)
 * with scripted keystrokes, so `@Button` must find the component and Enter must print its
 * definition. These need the real `skaffa-sidecars/typescript` entry (manifest and registration).
 */
import * as fs from 'node:fs';
import { runInteractive } from '../../cli/interactive';
import type { Output } from '../../cli/output';
import { openSession, type Session } from '../../cli/session';
import { ensureBuilt, makeTree, runCli } from './cli-harness';
import { symbolRows, terminal, until } from './terminal';

jest.setTimeout(60_000);

/** A React tree: a Button component, a group that uses it, an app that uses the group, and a member named Button. */
const REACT_TREE: Record<string, string> = {
  'README.md': '# A React app\n',
  'src/components/Button.tsx': [
    "import React from 'react';",
    '',
    'export interface ButtonProps {',
    '  label: string;',
    '}',
    '',
    'export function Button({ label }: ButtonProps) {',
    '  return <button>{label}</button>;',
    '}',
    '',
  ].join('\n'),
  'src/components/ButtonGroup.tsx': [
    "import { Button } from './Button';",
    '',
    'export const ButtonGroup = () => (',
    '  <div>',
    '    <Button label="a" />',
    '  </div>',
    ');',
    '',
  ].join('\n'),
  'src/app.tsx': "import { ButtonGroup } from './components/ButtonGroup';\n\nexport function App() {\n  return <ButtonGroup />;\n}\n",
  'src/toolbar.ts': 'export class Toolbar {\n  Button(): void {}\n}\n',
  'src/broken.ts': 'export function half(\n',
};

let root: string;
beforeAll(() => {
  ensureBuilt();
  root = makeTree(REACT_TREE);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const json = (s: string) => JSON.parse(s) as any;
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

test('symbols --json ranks the exported component above the member of the same name', async () => {
  const r = await runCli(['--root', root, '--json', 'symbols', 'Button']);
  expect(r.code).toBe(0);
  const found = json(r.stdout).symbols.map((s: any) => `${s.name} ${s.kind} ${s.path}:${s.range.start.line}`);
  expect(found.slice(0, 2)).toEqual(['Button component src/components/Button.tsx:6', 'Button method src/toolbar.ts:1']);
});

test('symbols prints name  kind  path:line with 1-based lines, and --limit caps it', async () => {
  const r = await runCli(['--root', root, 'symbols', '--limit', '1', 'Button']);
  expect(r.code).toBe(0);
  expect(plain(r.stdout).trim().split('\n')).toEqual(['Button  component  src/components/Button.tsx:7']);
});

test('symbols with no match exits 1 like find, and still prints a JSON document', async () => {
  const r = await runCli(['--root', root, '--json', 'symbols', 'qqqzzzxxx']);
  expect(r.code).toBe(1);
  expect(json(r.stdout)).toEqual({ query: 'qqqzzzxxx', symbols: [] });
});

test('outline prints the declarations as a tree with 1-based lines; --json gives the sidecar result', async () => {
  const r = await runCli(['--root', root, 'outline', 'src/components/Button.tsx']);
  expect(r.code).toBe(0);
  expect(plain(r.stdout).trimEnd().split('\n')).toEqual(['ButtonProps  interface  3', '  label  property  4', 'Button  component  7']);
  const j = await runCli(['--root', root, '--json', 'outline', 'src/components/Button.tsx']);
  expect(json(j.stdout)).toMatchObject({ path: 'src/components/Button.tsx', stale: false, diagnostics: [] });
});

test('outline of a file that does not parse reports its parse errors as path:line:col on stderr', async () => {
  const r = await runCli(['--root', root, 'outline', 'src/broken.ts']);
  expect(r.code).toBe(0);
  expect(plain(r.stderr)).toMatch(/^src\/broken\.ts:\d+:\d+: \S/m);
});

test('importers lists who imports a file; --transitive adds what reaches it, and says through which file', async () => {
  const direct = await runCli(['--root', root, '--json', 'importers', 'src/components/Button.tsx']);
  expect(direct.code).toBe(0);
  expect(json(direct.stdout).importers).toEqual([{ path: 'src/components/ButtonGroup.tsx', specifier: './Button', kind: 'import' }]);
  const all = await runCli(['--root', root, 'importers', '--transitive', 'src/components/Button.tsx']);
  expect(plain(all.stdout).trim().split('\n')).toEqual([
    'src/components/ButtonGroup.tsx  import  ./Button',
    'src/app.tsx  import  ./components/ButtonGroup  (via src/components/ButtonGroup.tsx)',
  ]);
  const none = await runCli(['--root', root, '--json', 'importers', 'src/app.tsx']);
  expect(none.code).toBe(1);
  expect(json(none.stdout).importers).toEqual([]);
});

test('bad paths fail with the sidecar code and a hint: not TS/JS, unknown, outside the root', async () => {
  const notTs = await runCli(['--root', root, 'outline', 'README.md']);
  expect(notTs.code).toBe(1);
  expect(notTs.stderr).toContain('error NOT_ANALYZED');
  expect(notTs.stderr).toContain('Only TS/JS files');
  const missing = await runCli(['--root', root, '--json', 'importers', 'src/nope.ts']);
  expect(missing.code).toBe(1);
  expect(json(missing.stdout).error.code).toBe('NOT_FOUND');
  const outside = await runCli(['--root', root, 'outline', '../elsewhere.ts']);
  expect(outside.code).toBe(1);
  expect(outside.stderr).toContain('error OUTSIDE_WORKSPACE');
});

describe('quick open on a TypeScript repository', () => {
  let session: Session | undefined;
  afterEach(() => session?.dispose());

  test('"@Button" lists the component first, and Enter prints its definition', async () => {
    session = openSession({ root, json: false, verbose: false }, () => undefined);
    const printed: string[] = [];
    const ignore = () => undefined;
    const out: Output = { json: false, lines: (l) => printed.push(...l), raw: ignore, document: ignore, ndjson: ignore, note: ignore };
    const t = terminal();
    const run = runInteractive(session, out, new AbortController().signal, t.io);
    t.type('@Button');
    await until('the Button component first', () => symbolRows(t.screen())[0] === 'Button  component  src/components/Button.tsx:7', t.screen);
    t.type('\r');
    await expect(run).resolves.toBe(0);
    const shown = printed.map(plain);
    expect(shown[0]).toBe('src/components/Button.tsx:7');
    // The definition's line is the marked one of the preview.
    expect(shown).toContainEqual(expect.stringMatching(/^>\s*7 {2}export function Button\(\{ label \}: ButtonProps\) \{$/));
  });
});
