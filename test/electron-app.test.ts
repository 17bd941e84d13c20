/**
 * examples/electron-app end to end without an Electron binary: its real main (`startApp`,
 * `registerHandlers`) and its real preload run against the stand-in of test/fixtures and the real
 * workspace sidecar on a temp folder. The page's `window.workspace` answers quick open and search
 * with folder-relative paths; a path outside the folder and a call from any sender but the app's
 * own top frame are refused; quitting disposes the host. Each refusal sits beside the same call
 * succeeding, so the test fails when a check refuses everything as well as when it lets through.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { container } from 'tsyringe';
import type { WorkspaceBridge } from '../examples/electron-app/src/contract';
import { assetPath, startApp, START_URL, type RunningApp } from '../examples/electron-app/src/main/app';
import { LoggerToken, NullLogger } from '../registry';
import { WorkspaceHost } from '../sidecars/workspace';
import { FakeElectron } from './fixtures/electron-stand-in';
import { isAlive, rejectionOf, waitFor } from './helpers';

const EXAMPLE = path.resolve(__dirname, '../examples/electron-app');
const PRELOAD = path.join(EXAMPLE, 'src/preload/preload.ts');

let base: string;
let root: string;
let electron: FakeElectron;
let host: WorkspaceHost;
let running: RunningApp;

beforeEach(async () => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-eapp-')));
  root = path.join(base, 'project');
  const files: Record<string, string> = {
    'src/supervisor.ts': 'export const x = 1; // TODO: restart on crash\n',
    'src/transport.ts': 'export const y = 2;\n',
    'docs/guide.md': '# Guide\n',
  };
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), text);
  }
  fs.writeFileSync(path.join(base, 'secret.txt'), 'outside\n');
  fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'link-out.txt'));
  electron = new FakeElectron();
  // Snapshots go under the temp folder, not into the user's cache folder, and are removed with it.
  host = new WorkspaceHost({ container, cacheDir: path.join(base, 'cache'), configure: (c) => c.register(LoggerToken, { useValue: new NullLogger() }) });
  running = await startApp({ electron: electron.ports, host, rendererDir: path.join(EXAMPLE, 'src/renderer'), preloadPath: '/app/preload.js' });
});

afterEach(async () => {
  await host.dispose();
  fs.rmSync(base, { recursive: true, force: true });
});

/** Runs the example's preload for window `contentsId` and returns what it exposed to the page. */
function preloadFor(contentsId: number, url?: string) {
  const renderer = electron.renderer(contentsId, url);
  jest.isolateModules(() => {
    jest.doMock('electron', () => renderer.module, { virtual: true });
    require(PRELOAD);
  });
  return { workspace: renderer.world.workspace as WorkspaceBridge, listenerCount: renderer.listenerCount };
}

const firstWindow = () => electron.windows[0].win.webContents.id;

async function openProject(): Promise<WorkspaceBridge> {
  const { workspace } = preloadFor(firstWindow());
  electron.nextFolder = root;
  expect(await workspace.openFolder()).toEqual({ name: 'project' });
  return workspace;
}

test('the window is isolated, sandboxed, without Node, on the app page under a CSP; navigation, new windows and permissions are refused', async () => {
  expect(electron.windows).toHaveLength(1);
  expect(electron.windows[0].options.webPreferences).toEqual({
    preload: '/app/preload.js',
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
  });
  expect(electron.windows[0].win.url).toBe(START_URL);
  const contents = electron.windows[0].win.webContents;
  expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  const navigation = { prevented: false, preventDefault: () => void (navigation.prevented = true) };
  contents.emit('will-navigate', navigation);
  expect(navigation.prevented).toBe(true);
  const granted: boolean[] = [];
  electron.permissionHandler?.(contents, 'media', (g) => granted.push(g));
  expect(granted).toEqual([false]);
  const html = fs.readFileSync(path.join(EXAMPLE, 'src/renderer/index.html'), 'utf8');
  expect(html).toMatch(/http-equiv="Content-Security-Policy"\s+content="default-src 'none'; script-src 'self';/);
  expect(html).not.toMatch(/<script>|\son\w+=/); // no inline script for the CSP to have to allow
});

test("quick open and search answer through the preload's API, with folder-relative paths only", async () => {
  const workspace = await openProject();
  let quick = await workspace.findFiles('supvsr');
  await waitFor(async () => !(quick = await workspace.findFiles('supvsr')).indexing, 15_000, 'the first index');
  expect(quick.matches[0].path).toBe('src/supervisor.ts');
  expect(quick.matches[0].positions).toHaveLength('supvsr'.length); // one matched character per query character
  const found = await workspace.search('TODO');
  expect(found).toEqual({ hits: [{ path: 'src/supervisor.ts', line: 1, text: expect.stringContaining('TODO'), ranges: [[23, 27]] }], truncated: false });
  expect(await workspace.readFile('docs/guide.md')).toEqual({ path: 'docs/guide.md', text: '# Guide\n', truncated: false });
  expect(JSON.stringify([quick, found])).not.toContain(base);
});

test('a path outside the folder is refused, lexically by main and through a symlink by the sidecar', async () => {
  const workspace = await openProject();
  expect((await workspace.readFile('src/transport.ts')).text).toBe('export const y = 2;\n');
  for (const outside of ['../secret.txt', 'src/../../secret.txt', path.join(base, 'secret.txt'), 'C:\\secret.txt', 'link-out.txt']) {
    const e = await rejectionOf(workspace.readFile(outside));
    expect(e.message).toContain('refused: the path is outside the folder');
  }
});

test('an IPC call from any sender but the top frame of an app window on the app page is refused', async () => {
  await openProject();
  const id = firstWindow();
  const appFrame = { url: START_URL, parent: null };
  expect(await electron.invoke(id, appFrame, 'workspace:search', 'TODO')).toMatchObject({ hits: [{ path: 'src/supervisor.ts' }] });
  const strangers: Array<[number, { url: string; parent: null | object } | null]> = [
    [id, { url: 'https://evil.example/index.html', parent: null }], // the window navigated elsewhere
    [id, { url: START_URL, parent: appFrame }], // a subframe
    [id, null], // the frame is gone
    [id + 100, appFrame], // web contents main did not create
  ];
  for (const [sender, frame] of strangers) {
    const e = await rejectionOf(electron.invoke(sender, frame as never, 'workspace:search', 'TODO'));
    expect(e.message).toContain('refused: unexpected sender');
  }
  // The preload of a page from another origin gets the same answer.
  const { workspace } = preloadFor(id, 'https://evil.example/');
  expect((await rejectionOf(workspace.findFiles('x'))).message).toContain('refused: unexpected sender');
});

test('arguments are validated before they reach the sidecar', async () => {
  const workspace = await openProject();
  const id = firstWindow();
  const frame = { url: START_URL, parent: null };
  for (const bad of [42, { toString: 'x' }, 'q'.repeat(257)]) {
    expect((await rejectionOf(electron.invoke(id, frame, 'workspace:findFiles', bad))).message).toContain('refused: query must be a string');
  }
  expect((await workspace.findFiles('q'.repeat(256))).matches).toEqual([]);
});

test('onDidChange reports changed files until unsubscribed', async () => {
  const { workspace, listenerCount } = preloadFor(firstWindow());
  electron.nextFolder = root;
  await workspace.openFolder();
  await waitFor(async () => !(await workspace.findFiles('guide')).indexing, 15_000, 'the first index');
  const seen: string[] = [];
  const unsubscribe = workspace.onDidChange((n) => seen.push(...n.paths));
  expect(listenerCount('workspace:didChange')).toBe(1);
  fs.writeFileSync(path.join(root, 'docs/new.md'), 'new\n');
  await waitFor(() => seen.includes('docs/new.md'), 15_000, 'the change notice');
  unsubscribe();
  expect(listenerCount('workspace:didChange')).toBe(0);
});

test('closing the last window on a folder stops its sidecar; quitting disposes the host, then exits', async () => {
  await openProject();
  await host.get(root)!.status();
  const first = host.registry(root)!.supervisor('workspace').pid!;
  electron.windows[0].win.close();
  await waitFor(() => !isAlive(first), 15_000, 'the sidecar to stop with its window');
  expect(host.roots()).toEqual([]);

  const win = await running.createWindow();
  const { workspace } = preloadFor(win.webContents.id);
  electron.nextFolder = root;
  await workspace.openFolder();
  await host.get(root)!.status();
  const pid = host.registry(root)!.supervisor('workspace').pid!;
  expect(isAlive(pid)).toBe(true);
  electron.ports.app.quit();
  await waitFor(() => electron.exitCodes.length > 0, 15_000, 'app.exit');
  expect(electron.exitCodes).toEqual([0]);
  expect(isAlive(pid)).toBe(false);
  expect(() => host.open(root)).toThrow(/disposed/);
});

test("the app's pages are served from its renderer folder only", () => {
  const dir = path.join(EXAMPLE, 'src/renderer');
  expect(assetPath(dir, 'app://bundle/index.html')).toBe(path.join(dir, 'index.html'));
  // The URL parser already folds `..` (also spelled %2e%2e) at the root; an encoded slash is caught after decoding.
  expect(assetPath(dir, 'app://bundle/%2e%2e/%2e%2e/package.json')).toBe(path.join(dir, 'package.json'));
  for (const url of ['app://bundle/..%2F..%2Fsetup.js', 'app://bundle/..%2Fsetup.js', 'app://other/index.html', 'https://bundle/index.html', 'app://bundle/']) {
    expect(assetPath(dir, url)).toBeUndefined();
  }
});
