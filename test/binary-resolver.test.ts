/**
 * Binary resolution order and its errors, on real files in a temp folder: environment overrides
 * (the manifest's own names, then SKAFFA_SIDECAR_<NAME>_PATH), the dev build output with the
 * newest of debug/release winning, the packaged resources folder, `.exe` on Windows, and an error
 * that lists every candidate with the reason it was refused.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DefaultBinaryResolver, envOverrideName, SidecarError, type ResolveContext } from '../registry';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-resolve-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(rel: string, mode = 0o755, mtime?: Date): string {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, '#!/bin/sh\n');
  fs.chmodSync(p, mode);
  if (mtime) fs.utimesSync(p, mtime, mtime);
  return p;
}

function resolver(ctx: Partial<ResolveContext>) {
  return new DefaultBinaryResolver({ env: {}, platform: 'linux', arch: 'x64', isPackaged: false, repoRoot: dir, ...ctx });
}

const spec = { name: 'skaffa-workspace', envOverrides: ['SCAFFA_SIDECAR_PATH'] };

test('the override variable is derived from the sidecar name', () => {
  expect(envOverrideName('workspace')).toBe('SKAFFA_SIDECAR_WORKSPACE_PATH');
  expect(envOverrideName('my-tool')).toBe('SKAFFA_SIDECAR_MY_TOOL_PATH');
});

test('an environment override wins, the manifest alias before the derived name', () => {
  const dev = file('target/debug/skaffa-workspace');
  const alias = file('custom/a');
  const derived = file('custom/b');
  const env = { SCAFFA_SIDECAR_PATH: alias, SKAFFA_SIDECAR_WORKSPACE_PATH: derived };
  expect(resolver({ env }).resolve('workspace', spec)).toMatchObject({ path: alias, source: 'env' });
  expect(resolver({ env: { SKAFFA_SIDECAR_WORKSPACE_PATH: derived } }).resolve('workspace', spec).path).toBe(derived);
  expect(resolver({}).resolve('workspace', spec).path).toBe(dev);
});

test('an override pointing at nothing is an error, not a silent fallback', () => {
  file('target/debug/skaffa-workspace');
  const env = { SCAFFA_SIDECAR_PATH: path.join(dir, 'missing') };
  let e: SidecarError | undefined;
  try {
    resolver({ env }).resolve('workspace', spec);
  } catch (err) {
    e = err as SidecarError;
  }
  expect(e?.code).toBe('BINARY_NOT_FOUND');
  expect(e?.message).toContain('SCAFFA_SIDECAR_PATH is set');
  expect(e?.message).toContain('(missing)');
});

test('of debug and release, the newer build wins', () => {
  const debug = file('target/debug/skaffa-workspace', 0o755, new Date(2020, 1, 1));
  const release = file('target/release/skaffa-workspace', 0o755, new Date(2021, 1, 1));
  expect(resolver({}).resolve('workspace', spec).path).toBe(release);
  fs.utimesSync(debug, new Date(2022, 1, 1), new Date(2022, 1, 1));
  expect(resolver({}).resolve('workspace', spec)).toMatchObject({ path: debug, source: 'dev' });
});

test('a packaged app finds the binary under resourcesPath, per-platform folder first, and skips target/', () => {
  file('target/debug/skaffa-workspace');
  const flat = file('resources/skaffa-workspace');
  const ctx = { isPackaged: true, resourcesPath: path.join(dir, 'resources') };
  expect(resolver(ctx).resolve('workspace', spec)).toMatchObject({ path: flat, source: 'packaged' });
  const perPlatform = file('resources/sidecars/linux-x64/skaffa-workspace');
  file('resources/sidecars/linux-arm64/skaffa-workspace');
  expect(resolver(ctx).resolve('workspace', spec).path).toBe(perPlatform);
});

test('Windows adds .exe', () => {
  const exe = file('target/release/skaffa-workspace.exe');
  expect(resolver({ platform: 'win32' }).resolve('workspace', spec).path).toBe(exe);
});

test('when nothing is usable the error lists every candidate and why', () => {
  file('target/debug/skaffa-workspace', 0o644);
  fs.mkdirSync(path.join(dir, 'resources/skaffa-workspace'), { recursive: true });
  let e: SidecarError | undefined;
  try {
    resolver({ resourcesPath: path.join(dir, 'resources') }).resolve('workspace', spec);
  } catch (err) {
    e = err as SidecarError;
  }
  expect(e?.code).toBe('BINARY_NOT_FOUND');
  const candidates = (e?.data as { candidates: Array<{ source: string; status: string }> }).candidates;
  expect(candidates.map((c) => `${c.source}:${c.status}`)).toEqual(['dev:not-executable', 'dev:missing', 'packaged:missing', 'packaged:not-a-file']);
  expect(e?.message).toContain('cargo build');
  expect(e?.message).toContain('chmod +x');
});
