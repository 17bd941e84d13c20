/**
 * `sidecars/pack.js` refuses to ship a binary for another platform than the package it writes:
 * given this machine's release binaries as if they were built for another CPU (`--binaries` with
 * `--target`), it fails naming the file and writes no platform tarball; the same binaries for this
 * machine's own triple pack fine (the positive control). Every sidecar binary of the cargo
 * workspace must be there: without `skaffa-typescript` the pack fails naming it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..');
const exe = process.platform === 'win32' ? '.exe' : '';
let work: string;
/** The release binaries the platform package holds (the cargo workspace's bin targets). */
const BINARIES = ['skaffa-workspace', 'skaffa-markdown', 'skaffa-typescript', 'skaffa-reaper'];

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-packscript-'));
  fs.mkdirSync(path.join(work, 'bin'));
  for (const b of BINARIES) fs.copyFileSync(path.join(REPO, 'target/release', b + exe), path.join(work, 'bin', b + exe));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const host = () => /^host: (.+)$/m.exec(execFileSync('rustc', ['-vV'], { encoding: 'utf8' }))![1];
const pack = (target: string, out: string, bin = path.join(work, 'bin')) =>
  spawnSync(process.execPath, [path.join(REPO, 'sidecars/pack.js'), '--target', target, '--binaries', bin, '--out', out], { cwd: REPO, encoding: 'utf8' });

test('binaries built for another CPU are refused, and no platform tarball is written', () => {
  const triple = host();
  const [cpu, ...rest] = triple.split('-');
  const other = `${cpu === 'aarch64' ? 'x86_64' : 'aarch64'}-${rest.join('-')}`;
  const out = path.join(work, 'wrong');
  const r = pack(other, out);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/skaffa-(workspace|markdown|typescript)(\.exe)? is a \S+ executable, not \S+: refusing to pack it/);
  expect(fs.existsSync(out) ? fs.readdirSync(out).filter((f) => f.endsWith('.tgz')) : []).toEqual([]);
}, 120_000);

test('the same binaries pack for their own platform', () => {
  const out = path.join(work, 'right');
  const r = pack(host(), out);
  expect(r.stderr).not.toMatch(/pack: .*refusing/);
  expect(r.status).toBe(0);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'pack.json'), 'utf8'));
  expect(summary.platform.name).toBe(`@skaffa-sidecars/${process.platform}-${process.arch}`);
  expect(fs.existsSync(path.join(out, summary.platform.file))).toBe(true);
  expect(Object.keys(summary.platform.binaries).sort()).toEqual([...BINARIES].sort());
}, 120_000);

test('a binary missing from the platform package fails the pack naming it (the typescript sidecar ships too)', () => {
  const partial = path.join(work, 'partial');
  fs.mkdirSync(partial);
  for (const b of BINARIES.filter((b) => b !== 'skaffa-typescript')) fs.copyFileSync(path.join(work, 'bin', b + exe), path.join(partial, b + exe));
  const out = path.join(work, 'partial-out');
  const r = pack(host(), out, partial);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/pack: skaffa-typescript(\.exe)? is missing from .*: the platform package needs every sidecar binary/);
  expect(fs.existsSync(out) ? fs.readdirSync(out).filter((f) => f.endsWith('.tgz')) : []).toEqual([]);
}, 120_000);
