/**
 * The typescript sidecar kept live by the workspace sidecar through the registry's feed, wired
 * exactly as an app does (test/typescript/setup.ts) and observed only through the TypeScriptAPI:
 * creating, editing, renaming and deleting TS files and editing tsconfig.json reach `importers`
 * and `outline`; changes made while the workspace sidecar is dead (SIGKILL) are seen after it is
 * back, which only the feed's resync can do, since the typescript sidecar has no watches; and bad
 * paths answer their codes without taking the sidecar down.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SidecarError } from '../../registry';
import { TypeScriptErrorCodes, TypeScriptEvents, typescriptManifest, type TypeScriptAPI } from '../../sidecars/typescript';
import { rejectionOf } from '../helpers';
import { openTypeScript, removeWorkspaces, tsWorkspace, until, write, type Opened } from './setup';

jest.setTimeout(90_000);

const FILES = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', jsx: 'react-jsx', paths: { '@lib/*': ['src/lib/*'] } } }),
  'src/lib/util.ts': 'export function helper(): number {\n  return 1;\n}\n',
  'src/app.ts': "import { helper } from './lib/util';\nexport const value = helper();\n",
  'src/view.tsx': "import { helper } from '@lib/util';\nexport function Badge(props: { label: string }) {\n  return <b>{props.label}{helper()}</b>;\n}\n",
  'README.md': '# Not code\n',
};

let root: string;
let opened: Opened;
let ts: TypeScriptAPI;

beforeAll(async () => {
  root = tsWorkspace(FILES);
  opened = openTypeScript(root);
  ts = opened.ts;
  await until(() => ts.status(), (s) => s.state === 'ready', 'the first index');
});
afterAll(async () => {
  await opened?.registry.dispose();
  removeWorkspaces();
});

const importersOf = async (p: string) => (await ts.importers(p)).importers.map((i) => i.path).sort();
const outlineNames = async (p: string) => (await ts.outline(p)).symbols.map((s) => s.name);

test('the first index: importers through a relative path and a tsconfig paths alias, and the outline', async () => {
  expect(await importersOf('src/lib/util.ts')).toEqual(['src/app.ts', 'src/view.tsx']);
  expect(await outlineNames('src/view.tsx')).toEqual(['Badge']);
  // The feed the manifest declares is active because the typescript sidecar runs.
  expect(opened.registry.feeds()).toEqual([expect.objectContaining({ to: 'typescript', from: 'workspace', active: true })]);
});

test('create, edit, rename and delete of TS files reach importers and outline through the feed', async () => {
  write(root, 'src/added.ts', "import { helper } from './lib/util';\nexport const added = helper();\n");
  await until(() => importersOf('src/lib/util.ts'), (v) => v.includes('src/added.ts'), 'the created file among the importers');

  write(root, 'src/app.ts', 'export class Fresh {}\n');
  await until(() => importersOf('src/lib/util.ts'), (v) => !v.includes('src/app.ts'), 'the edited file gone from the importers');
  expect(await outlineNames('src/app.ts')).toEqual(['Fresh']);

  fs.renameSync(path.join(root, 'src/added.ts'), path.join(root, 'src/renamed.ts'));
  const afterRename = await until(
    () => importersOf('src/lib/util.ts'),
    (v) => v.includes('src/renamed.ts') && !v.includes('src/added.ts'),
    'the renamed file in place of the old name',
  );
  expect(afterRename).toEqual(['src/renamed.ts', 'src/view.tsx']);

  fs.rmSync(path.join(root, 'src/renamed.ts'));
  await until(() => importersOf('src/lib/util.ts'), (v) => !v.includes('src/renamed.ts'), 'the deleted file gone');
  const gone = await rejectionOf(ts.outline('src/renamed.ts'));
  expect(gone.code).toBe(TypeScriptErrorCodes.notFound);
});

test('a tsconfig.json edit re-resolves the imports it affects, and didUpdate is sent', async () => {
  const updates: Array<{ generation: number; paths: string[] }> = [];
  const sub = opened.registry.client(typescriptManifest).onEvent(TypeScriptEvents.didUpdate, (e) => updates.push(e));
  try {
    write(root, 'tsconfig.json', JSON.stringify({ compilerOptions: { baseUrl: '.', jsx: 'react-jsx', paths: { '@lib/*': ['src/elsewhere/*'] } } }));
    await until(() => importersOf('src/lib/util.ts'), (v) => !v.includes('src/view.tsx'), 'the alias no longer resolving to util.ts');
    const viewImports = (await ts.imports('src/view.tsx')).imports;
    expect(viewImports).toEqual([expect.objectContaining({ specifier: '@lib/util', resolved: null })]);
    // The batch that re-resolved view.tsx's import says so.
    expect(updates.some((u) => u.paths.includes('src/view.tsx'))).toBe(true);
  } finally {
    sub.dispose();
  }
  write(root, 'tsconfig.json', FILES['tsconfig.json']);
  await until(() => importersOf('src/lib/util.ts'), (v) => v.includes('src/view.tsx'), 'the alias resolving again');
});

test('changes made while the workspace sidecar is dead are seen once it is back (the feed resyncs)', async () => {
  const supervisor = opened.registry.supervisor('workspace');
  const pid = supervisor.pid!;
  const resyncsBefore = opened.registry.feeds()[0].resyncs;
  process.kill(pid, 'SIGKILL');
  // Written right after SIGKILL, in the same tick: the killed process never runs again, and the
  // supervisor cannot have started a new one yet, so no watcher sees these writes as they happen.
  write(root, 'src/while-down.ts', "import { helper } from './lib/util';\nexport const down = helper();\n");
  write(root, 'src/view.tsx', 'export function Plain() {\n  return null;\n}\n');

  const importers = await until(
    () => importersOf('src/lib/util.ts'),
    (v) => v.includes('src/while-down.ts') && !v.includes('src/view.tsx'),
    'the changes made while the workspace sidecar was down',
  );
  expect(importers).toEqual(['src/while-down.ts']);
  expect(await outlineNames('src/view.tsx')).toEqual(['Plain']);
  expect(supervisor.pid).not.toBe(pid);
  expect(opened.registry.feeds()[0].resyncs).toBeGreaterThan(resyncsBefore);
});

test('bad inputs answer their codes, and the sidecar keeps running', async () => {
  const pid = opened.registry.supervisor('typescript').pid;
  const codeOf = async (p: Promise<unknown>) => {
    const e = await rejectionOf(p);
    expect(e).toBeInstanceOf(SidecarError);
    return { code: e.code, retryable: e.retryable, path: (e.data as { path?: string } | undefined)?.path };
  };
  expect(await codeOf(ts.outline('../outside.ts'))).toMatchObject({ code: TypeScriptErrorCodes.outsideWorkspace, retryable: false });
  expect(await codeOf(ts.imports(path.join(root, 'src/app.ts')))).toMatchObject({ code: TypeScriptErrorCodes.outsideWorkspace });
  expect(await codeOf(ts.importers('src/nope.ts'))).toMatchObject({ code: TypeScriptErrorCodes.notFound, retryable: false });
  expect(await codeOf(ts.outline('README.md'))).toEqual({ code: TypeScriptErrorCodes.notAnalyzed, retryable: false, path: 'README.md' });
  expect(await codeOf(ts.exports('README.md'))).toMatchObject({ code: TypeScriptErrorCodes.notAnalyzed });
  // Still the same process, still answering.
  expect(opened.registry.supervisor('typescript').pid).toBe(pid);
  expect((await ts.status()).state).toBe('ready');
});
