/**
 * The typescript sidecar is its own process, started only when asked: with the first index held
 * after two files (the crate's `SKAFFA_TYPESCRIPT_TEST_HOLD_BUILD` seam), `symbols` streams the
 * matches among the files parsed so far and then the rest; killing the sidecar mid-index leaves
 * every workspace call working on the same workspace process, and the typescript sidecar comes
 * back and finishes. An app that registers it but never calls the TypeScriptAPI never launches
 * `skaffa-typescript`, and the feed stays inactive.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeWorkspaces, tsWorkspace, openTypeScript, until, type Opened } from './setup';

jest.setTimeout(90_000);

const HOLD_VAR = 'SKAFFA_TYPESCRIPT_TEST_HOLD_BUILD';
const RELEASE = '.git/release';
const WIDGETS = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`src/widget${i}.ts`, `export function widget${i}(): number {\n  return ${i};\n}\n`]));

const opened: Opened[] = [];
afterEach(async () => {
  delete process.env[HOLD_VAR];
  await Promise.all(opened.splice(0).map((o) => o.registry.dispose()));
});
afterAll(() => removeWorkspaces());

/** A workspace whose first index holds after two parsed files until `release()`. */
async function held(): Promise<{ root: string; o: Opened; release: () => void }> {
  const root = tsWorkspace({ ...WIDGETS, 'README.md': '# widgets\n', '.git/HEAD': 'ref: refs/heads/main\n' });
  process.env[HOLD_VAR] = `2:${RELEASE}`;
  const o = openTypeScript(root);
  opened.push(o);
  await until(() => o.ts.status(), (s) => s.parsed === 2, 'two files parsed before the hold');
  expect((await o.ts.status()).state).toBe('indexing');
  return { root, o, release: () => fs.writeFileSync(path.join(root, RELEASE), '') };
}

const names = (symbols: Array<{ name: string }>) => symbols.map((s) => s.name).sort();

test('symbols streams while indexing: the parsed files first, flagged, then the rest', async () => {
  const { o, release } = await held();
  const stream = o.ts.symbolsStream('widget');
  const chunks: Array<{ symbols: Array<{ name: string }>; indexing?: boolean }> = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
    // The first chunk came while the build is held: it can only hold the two parsed files' symbols.
    if (chunks.length === 1) {
      expect((await o.ts.status()).state).toBe('indexing');
      release();
    }
  }
  const result = await stream.result;
  expect(chunks).toHaveLength(1);
  expect(chunks[0]).toMatchObject({ indexing: true });
  expect(chunks[0].symbols).toHaveLength(2);
  // Chunk and result hold each match once, all six in all.
  expect(names([...chunks[0].symbols, ...result.symbols])).toEqual(names(Object.keys(WIDGETS).map((f) => ({ name: path.basename(f, '.ts') }))));
  // Not streamed, the same call answers the whole index once it is built.
  expect(names((await o.ts.symbols('widget')).symbols)).toHaveLength(6);
});

test('killing the typescript sidecar mid-index leaves every workspace call working, and it comes back', async () => {
  const { o, release } = await held();
  const workspacePid = o.registry.supervisor('workspace').pid;
  expect(workspacePid).toEqual(expect.any(Number)); // started with it, by the feed
  const tsPid = o.registry.supervisor('typescript').pid!;
  process.kill(tsPid, 'SIGKILL');
  await until(async () => o.registry.supervisor('typescript').pid, (pid) => pid !== tsPid, 'the typescript sidecar to be gone', 20_000);

  // Every workspace call works while the typescript sidecar is dead or restarting, on the same process.
  expect((await o.workspace.findFiles('widget3', { waitForIndex: true })).matches.map((m) => m.path)).toEqual(['src/widget3.ts']);
  expect((await o.workspace.readFile('src/widget1.ts')).content).toContain('widget1');
  expect((await o.workspace.stat('src')).type).toBe('dir');
  expect((await o.workspace.search('return 5')).lines.map((l) => l.path)).toEqual(['src/widget5.ts']);
  expect((await o.workspace.status()).state).toBe('ready');
  expect(o.registry.supervisor('workspace').pid).toBe(workspacePid);

  // The new incarnation holds at the same point until released, then finishes the index.
  release();
  const status = await until(() => o.ts.status(), (s) => s.state === 'ready', 'the restarted typescript sidecar to be ready');
  expect(status.files).toBe(6);
  expect(o.registry.supervisor('typescript').pid).not.toBe(tsPid);
  expect(o.registry.health().find((h) => h.name === 'typescript')).toMatchObject({ restarts: 1 });
  expect((await o.ts.symbols('widget')).symbols).toHaveLength(6);
});

test('an app that never calls the TypeScriptAPI never launches skaffa-typescript', async () => {
  const root = tsWorkspace(WIDGETS);
  const o = openTypeScript(root);
  opened.push(o);
  await o.workspace.findFiles('widget', { waitForIndex: true });
  const sub = o.workspace.watch('**/*.ts', () => undefined);
  fs.writeFileSync(path.join(root, 'src/new.ts'), 'export const fresh = 1;\n');
  await until(() => o.workspace.findFiles('new', { waitForIndex: true }), (r) => r.matches.length === 1, 'the workspace sidecar to index the new file');
  sub.dispose();
  const typescript = () => o.registry.list().find((s) => s.name === 'typescript')!;
  expect(typescript()).toMatchObject({ state: 'idle', pid: undefined });
  expect(typescript().binary.path).toMatch(/skaffa-typescript(\.exe)?$/); // registered and resolvable, just not started
  expect(o.registry.feeds()).toEqual([expect.objectContaining({ to: 'typescript', active: false, forwarded: 0, resyncs: 0 })]);
  // The positive control: the first TypeScriptAPI call is what launches it.
  await o.ts.status();
  expect(typescript()).toMatchObject({ state: 'ready', pid: expect.any(Number) });
});
