/**
 * Binary resolution order and its errors, on real files in a temp folder: environment overrides
 * (the manifest's own names, then SKAFFA_SIDECAR_<NAME>_PATH), the dev build output with the
 * newest of debug/release winning (or a stated preference), the installed platform package, the
 * packaged resources folder, `app.asar` paths looked up in `app.asar.unpacked`, `.exe` on
 * Windows, and an error that lists every candidate with the reason it was refused.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  envOverrideName,
  findPlatformPackage,
  platformPackageName,
  sidecarBinaryPath,
  sidecarBinaryPaths,
  SidecarError,
  unpackedPath,
  type ResolveContext,
} from '../registry';
import { DefaultBinaryResolver } from '../registry/internal';

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
  expect(candidates.map((c) => `${c.source}:${c.status}`)).toEqual([
    'dev:not-executable',
    'dev:missing',
    'platform-package:not-installed',
    'packaged:missing',
    'packaged:not-a-file',
  ]);
  expect(candidates[2]).toMatchObject({ path: '@skaffa-sidecars/linux-x64' });
  expect(e?.message).toContain('cargo build');
  expect(e?.message).toContain('Install @skaffa-sidecars/linux-x64');
  expect(e?.message).toContain('chmod +x');
});

/** A platform package as `npm run pack` lays it out: package.json with the binary list, bin/<exe>. */
function platformPackage(rel: string, binaries = ['skaffa-workspace', 'skaffa-markdown']): string {
  const pkg = path.join(dir, rel);
  fs.mkdirSync(pkg, { recursive: true });
  const list = Object.fromEntries(binaries.map((b) => [b, `bin/${b}`]));
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@skaffa-sidecars/linux-x64', skaffaSidecars: { target: 'x86_64-unknown-linux-gnu', binaries: list } }));
  for (const b of binaries) file(`${rel}/bin/${b}`);
  return pkg;
}

test('a stated profile preference beats the newer build', () => {
  const release = file('target/release/skaffa-workspace', 0o755, new Date(2020, 1, 1));
  file('target/debug/skaffa-workspace', 0o755, new Date(2022, 1, 1));
  expect(resolver({ devProfiles: ['release', 'debug'] }).resolve('workspace', spec).path).toBe(release);
  fs.rmSync(release);
  expect(resolver({ devProfiles: ['release', 'debug'] }).resolve('workspace', spec).path).toBe(path.join(dir, 'target/debug/skaffa-workspace'));
});

test('the installed platform package comes after the dev build and before the packaged resources', () => {
  const pkg = platformPackage('node_modules/@skaffa-sidecars/linux-x64');
  const inPackage = path.join(pkg, 'bin/skaffa-workspace');
  file('resources/sidecars/linux-x64/skaffa-workspace');
  const ctx = { platformPackageDir: pkg, resourcesPath: path.join(dir, 'resources') };
  expect(resolver(ctx).resolve('workspace', spec)).toMatchObject({ path: inPackage, source: 'platform-package' });
  const dev = file('target/debug/skaffa-workspace');
  expect(resolver(ctx).resolve('workspace', spec).path).toBe(dev);
  // Packaged apps skip target/ but still use the platform package first.
  const packaged = resolver({ ...ctx, isPackaged: true }).resolve('workspace', spec);
  expect(packaged).toMatchObject({ path: inPackage, source: 'platform-package' });
  expect(packaged.candidates.map((c) => c.source)).toEqual(['platform-package']);
  // Without it, the resources folder answers; the listing shows the package was looked at.
  fs.rmSync(inPackage);
  const fallback = resolver({ ...ctx, isPackaged: true }).resolve('workspace', spec);
  expect(fallback).toMatchObject({ source: 'packaged', path: path.join(dir, 'resources/sidecars/linux-x64/skaffa-workspace') });
  expect(fallback.candidates[0]).toMatchObject({ source: 'platform-package', path: inPackage, status: 'missing' });
});

test('a binary inside app.asar is looked up in app.asar.unpacked', () => {
  expect(unpackedPath('/opt/App/resources/app.asar/node_modules/x/bin/y')).toBe('/opt/App/resources/app.asar.unpacked/node_modules/x/bin/y');
  expect(unpackedPath('C:\\App\\resources\\app.asar\\node_modules\\x.exe')).toBe('C:\\App\\resources\\app.asar.unpacked\\node_modules\\x.exe');
  expect(unpackedPath('/opt/app.asarx/y')).toBe('/opt/app.asarx/y');
  const unpacked = platformPackage('resources/app.asar.unpacked/node_modules/@skaffa-sidecars/linux-x64');
  const inArchive = path.join(dir, 'resources/app.asar/node_modules/@skaffa-sidecars/linux-x64');
  const r = resolver({ isPackaged: true, platformPackageDir: inArchive }).resolve('workspace', spec);
  expect(r).toMatchObject({ source: 'platform-package', path: path.join(unpacked, 'bin/skaffa-workspace') });
  file('resources/app.asar/skaffa-markdown');
  const flat = resolver({ isPackaged: true, platformPackageDir: null, resourcesPath: path.join(dir, 'resources/app.asar') });
  expect(() => flat.resolve('markdown', { name: 'skaffa-markdown' })).toThrow(/app\.asar\.unpacked\/skaffa-markdown \(missing\)/);
});

test('packagers get every binary path of the installed platform package', () => {
  const from = path.join(dir, 'app/node_modules/skaffa-sidecars/dist/registry');
  fs.mkdirSync(from, { recursive: true });
  const pkg = platformPackage('app/node_modules/@skaffa-sidecars/linux-x64');
  const names = { platform: 'linux' as const, arch: 'x64', from };
  expect(platformPackageName(names)).toBe('@skaffa-sidecars/linux-x64');
  expect(findPlatformPackage(names)).toBe(pkg);
  expect(sidecarBinaryPaths(names)).toEqual({ 'skaffa-workspace': path.join(pkg, 'bin/skaffa-workspace'), 'skaffa-markdown': path.join(pkg, 'bin/skaffa-markdown') });
  expect(sidecarBinaryPath('skaffa-markdown', names)).toBe(path.join(pkg, 'bin/skaffa-markdown'));
  expect(() => sidecarBinaryPath('skaffa-nope', names)).toThrow(/has no binary skaffa-nope \(it has: skaffa-workspace, skaffa-markdown\)/);
  expect(findPlatformPackage({ ...names, arch: 'arm64' })).toBeUndefined();
  expect(() => sidecarBinaryPaths({ ...names, arch: 'arm64' })).toThrow(/@skaffa-sidecars\/linux-arm64 is not installed/);
});

test('an installed app without its platform package is told to install it, not to run cargo', () => {
  let e: SidecarError | undefined;
  try {
    resolver({ repoRoot: undefined, platformPackageDir: undefined }).resolve('workspace', spec);
  } catch (err) {
    e = err as SidecarError;
  }
  expect(e?.code).toBe('BINARY_NOT_FOUND');
  expect(e?.message).toContain('platform-package: @skaffa-sidecars/linux-x64 (not-installed)');
  expect(e?.message).toContain('Install @skaffa-sidecars/linux-x64 (an optional dependency of skaffa-sidecars');
  expect(e?.message).not.toContain('cargo');
});
