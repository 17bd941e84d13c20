/**
 * The packaging contract without Electron: `sidecars/stage.js` stages every Rust sidecar under
 * `sidecars/<platform>-<arch>/`, and a registry told it is packaged (`isPackaged`, with that
 * folder's parent as `resourcesPath`, exactly what electron-builder's extraResources and Forge's
 * extraResource produce) finds and runs them; a staged binary that lost its execute bit is a clear
 * BINARY_NOT_FOUND naming the fix.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { markdownManifest } from '../sidecars/markdown/manifest';
import { typescriptManifest } from '../sidecars/typescript/manifest';
import { workspaceManifest } from '../sidecars/workspace/manifest';
import { makeRegistry, rejectionOf } from './helpers';

const REPO = path.resolve(__dirname, '..');
let resources: string;

beforeAll(() => {
  resources = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-resources-'));
  // The debug profile is already built by the test command; the release build is the default.
  execFileSync(process.execPath, [path.join(REPO, 'sidecars/stage.js'), '--profile', 'debug', '--out', resources], { stdio: 'pipe' });
}, 300_000);
afterAll(() => fs.rmSync(resources, { recursive: true, force: true }));

const platformDir = () => path.join(resources, 'sidecars', `${process.platform}-${process.arch}`);

test('stage.js puts every sidecar binary, executable, in a per-platform folder with a checksum list', () => {
  const staged = JSON.parse(fs.readFileSync(path.join(platformDir(), 'staged.json'), 'utf8'));
  expect(staged).toMatchObject({ platform: process.platform, arch: process.arch, profile: 'debug' });
  const names = staged.binaries.map((b: { name: string }) => b.name).sort();
  expect(names).toEqual(expect.arrayContaining(['skaffa-markdown', 'skaffa-reaper', 'skaffa-typescript', 'skaffa-workspace']));
  for (const name of names) {
    const stat = fs.statSync(path.join(platformDir(), name));
    expect(stat.mode & 0o111).not.toBe(0);
  }
});

test('a packaged registry runs the staged binary from resourcesPath', async () => {
  const registry = makeRegistry([markdownManifest], { resolve: { isPackaged: true, resourcesPath: resources, repoRoot: REPO, env: {} } });
  expect(registry.list()[0].binary).toMatchObject({ source: 'packaged', path: path.join(platformDir(), 'skaffa-markdown') });
  const { headings } = await registry.client(markdownManifest).call('markdown/outline', { text: '# Packaged\n' });
  expect(headings.map((h) => h.text)).toEqual(['Packaged']);
  // The reaper ships beside the sidecars and is found the same way: the sidecar runs under it.
  if (process.platform === 'linux') expect(fs.readlinkSync(`/proc/${registry.supervisor('markdown').pid}/exe`)).toBe(path.join(platformDir(), 'skaffa-reaper'));
  // The analysis sidecar (with the workspace sidecar it feeds from) is found in the same place; resolved, not run.
  const withTypeScript = makeRegistry([workspaceManifest, typescriptManifest], { resolve: { isPackaged: true, resourcesPath: resources, repoRoot: REPO, env: {} } });
  for (const name of ['workspace', 'typescript']) {
    expect(withTypeScript.list().find((s) => s.name === name)?.binary).toMatchObject({ source: 'packaged', path: path.join(platformDir(), `skaffa-${name}`) });
  }
});

test('a staged binary without its execute bit is explained', async () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-noexec-'));
  try {
    const dir = path.join(copy, 'sidecars', `${process.platform}-${process.arch}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(platformDir(), 'skaffa-markdown'), path.join(dir, 'skaffa-markdown'));
    fs.chmodSync(path.join(dir, 'skaffa-markdown'), 0o644);
    const registry = makeRegistry([markdownManifest], { resolve: { isPackaged: true, resourcesPath: copy, env: {} } });
    const e = await rejectionOf(registry.call('markdown', 'markdown/outline', { text: '' }));
    expect(e.code).toBe('BINARY_NOT_FOUND');
    expect(e.message).toContain('(not-executable)');
    expect(e.message).toContain('chmod +x');
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});
