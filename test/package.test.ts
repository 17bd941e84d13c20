/**
 * The done-when test of packaging: `npm run pack` writes the library and platform tarballs; a
 * fresh app in a temp folder, with no Rust toolchain on its PATH, installs them (its other
 * dependencies come from the npm cache that `npm ci` filled, or the registry), type-checks a
 * consumer under CommonJS (`node10`, `node16`, `nodenext` resolution) and as an ES module under
 * `bundler` resolution, and runs both: the workspace sidecar, found in the installed platform
 * package, indexes a generated folder, fuzzy find and search answer, and dispose leaves no
 * process. It also checks what the library tarball holds, and prints its size and file count.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isAlive, waitFor } from './helpers';

const REPO = path.resolve(__dirname, '..');
const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc');
const PLATFORM = `${process.platform}-${process.arch}`;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface PackSummary {
  library: { file: string; size: number; files: number; unpackedSize: number };
  platform: { name: string; file: string; size: number; files: number; binaries: Record<string, number> };
}

let work: string;
let out: string;
let summary: PackSummary;

/** PATH without any folder that holds cargo or rustc: the app's machine has no Rust toolchain. */
function pathWithoutRust(): string {
  const exe = process.platform === 'win32' ? '.exe' : '';
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir && !['cargo', 'rustc', 'rustup'].some((t) => fs.existsSync(path.join(dir, t + exe))))
    .join(path.delimiter);
}

function versionOf(pkg: string): string {
  return JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}

function tarList(tgz: string): string[] {
  return execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));
}

function tarFile(tgz: string, file: string): string {
  return execFileSync('tar', ['-xzOf', tgz, `package/${file}`], { encoding: 'utf8' });
}

beforeAll(() => {
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-pack-')));
  out = path.join(work, 'dist-pack');
  const log = execFileSync(npm, ['run', 'pack', '--', '--out', out], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  console.log(log.split('\n').filter((l) => l.startsWith('pack:')).join('\n'));
  summary = JSON.parse(fs.readFileSync(path.join(out, 'pack.json'), 'utf8'));
}, 600_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('the library tarball holds compiled code, types, schemas, README and LICENSE, and nothing else', () => {
  const tgz = path.join(out, summary.library.file);
  const files = tarList(tgz);
  console.log(`library tarball ${summary.library.file}: ${summary.library.size} bytes, ${files.length} files (${summary.library.unpackedSize} unpacked)`);
  expect(files.length).toBe(summary.library.files);
  expect(files).toEqual(
    expect.arrayContaining([
      'package.json',
      'README.md',
      'LICENSE',
      'dist/registry/index.js',
      'dist/registry/index.d.ts',
      'dist/registry/internal.js',
      'dist/registry/internal.d.ts',
      'dist/registry/manifest.schema.json',
      'dist/sidecars/workspace/index.d.ts',
      'dist/sidecars/workspace/schema/search.params.json',
      'dist/sidecars/typescript/index.d.ts',
      'dist/sidecars/typescript/index.js',
      'dist/sidecars/typescript/schema/symbols.params.json',
      'dist/registry/call-options.js',
      'dist/sidecars/markdown/manifest.js',
      'sidecars/node-protocol/index.js',
      'sidecars/node-protocol/index.d.ts',
    ]),
  );
  const unwanted = files.filter((f) => /(^|\/)(test|tests|bench|cli|examples|src|\.github)\/|\.rs$|Cargo\.|\.map$|\.tsbuildinfo$|\.ts$(?<!\.d\.ts)/.test(f));
  expect(unwanted).toEqual([]);
  expect(files.every((f) => /^(package\.json|README\.md|LICENSE|dist\/.*\.(js|d\.ts|json)|sidecars\/node-protocol\/index\.(js|d\.ts))$/.test(f))).toBe(true);

  const pkg = JSON.parse(tarFile(tgz, 'package.json'));
  expect(Object.keys(pkg.dependencies).sort()).toEqual(['ajv', 'emittery', 'picomatch']);
  expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['reflect-metadata', 'tsyringe']);
  expect(pkg.optionalDependencies[summary.platform.name]).toBe(pkg.version);
  for (const key of ['devDependencies', 'scripts', 'workspaces', 'bin', 'private']) expect(pkg[key]).toBeUndefined();
  expect(Object.keys(pkg.exports).sort()).toEqual(['.', './conformance', './internal', './markdown', './node-protocol', './package.json', './typescript', './workspace']);
});

test('the platform package holds every sidecar binary, executable, stripped, with os and cpu fields', () => {
  const tgz = path.join(out, summary.platform.file);
  console.log(`platform tarball ${summary.platform.file}: ${summary.platform.size} bytes; binaries ${JSON.stringify(summary.platform.binaries)}`);
  const pkg = JSON.parse(tarFile(tgz, 'package.json'));
  expect(pkg).toMatchObject({ name: `@skaffa-sidecars/${PLATFORM}`, os: [process.platform], cpu: [process.arch] });
  const exe = process.platform === 'win32' ? '.exe' : '';
  expect(pkg.skaffaSidecars.binaries).toEqual({
    'skaffa-workspace': `bin/skaffa-workspace${exe}`,
    'skaffa-markdown': `bin/skaffa-markdown${exe}`,
    'skaffa-typescript': `bin/skaffa-typescript${exe}`,
    'skaffa-reaper': `bin/skaffa-reaper${exe}`,
  });
  const listing = execFileSync('tar', ['-tvzf', tgz], { encoding: 'utf8' });
  if (process.platform !== 'win32') for (const b of ['skaffa-workspace', 'skaffa-typescript']) expect(listing).toMatch(new RegExp(`^-rwxr-xr-x .*package/bin/${b}$`, 'm'));
  // The shipping profile strips symbols (pack fails on an ELF binary that has any, see binary-format.test.ts).
  expect(summary.platform.binaries['skaffa-workspace']).toBeLessThan(12e6);
});

test('an app without a Rust toolchain installs the tarballs, type-checks, runs, and leaves no process', async () => {
  const app = path.join(work, 'app');
  fs.mkdirSync(path.join(app, 'src'), { recursive: true });
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  const env = { ...process.env, PATH: pathWithoutRust(), npm_config_update_notifier: 'false' };
  expect(spawnSync('cargo', ['--version'], { env }).error).toBeDefined(); // the toolchain is really out of reach

  const deps = [`tsyringe@${versionOf('tsyringe')}`, `reflect-metadata@${versionOf('reflect-metadata')}`, `@types/node@${versionOf('@types/node')}`];
  execFileSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(out, summary.library.file), path.join(out, summary.platform.file), ...deps], {
    cwd: app,
    env,
    stdio: 'pipe',
  });
  // tsyringe is a peer: the app's one copy serves the library too (no nested copy to disagree on tokens).
  expect(fs.existsSync(path.join(app, 'node_modules/skaffa-sidecars/node_modules/tsyringe'))).toBe(false);

  // One source, compiled as CommonJS (main.ts) and as an ES module (main.mts).
  for (const f of ['main.ts', 'main.mts']) fs.copyFileSync(path.join(REPO, 'test/fixtures/consumer/main.ts'), path.join(app, 'src', f));
  const tsc = (args: string[]) => {
    const r = spawnSync(process.execPath, [TSC, '--strict', '--target', 'es2022', '--types', 'node', ...args], { cwd: app, env, encoding: 'utf8' });
    expect(`${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(`${args.join(' ')}: `);
  };
  tsc(['--module', 'commonjs', '--moduleResolution', 'node', '--noEmit', 'src/main.ts']);
  tsc(['--module', 'nodenext', '--moduleResolution', 'nodenext', '--noEmit', 'src/main.ts']);
  tsc(['--module', 'node16', '--moduleResolution', 'node16', '--outDir', 'out-cjs', 'src/main.ts']);
  tsc(['--module', 'esnext', '--moduleResolution', 'bundler', '--outDir', 'out-esm', 'src/main.mts']);

  const tree = path.join(work, 'tree');
  for (let i = 0; i < 300; i++) {
    const dir = path.join(tree, `pkg${i % 10}`, `mod${i % 7}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `file${i}.ts`), i === 123 ? 'export const x = "NEEDLE_TOKEN";\n' : `export const n = ${i};\n`);
  }
  fs.mkdirSync(path.join(tree, 'docs'));
  fs.writeFileSync(path.join(tree, 'docs/needle-notes.md'), '# Notes\n');
  fs.writeFileSync(path.join(work, 'outside.txt'), 'not yours\n');

  const binDir = path.join(app, 'node_modules/@skaffa-sidecars', PLATFORM, 'bin');
  for (const script of ['out-cjs/main.js', 'out-esm/main.mjs']) {
    // The host's default snapshot folder is the cache folder: a temp one here, not the user's.
    const r = spawnSync(process.execPath, [script, tree], {
      cwd: app,
      env: { ...env, XDG_CACHE_HOME: path.join(work, 'cache') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    const seen = JSON.parse(r.stdout);
    expect(seen).toMatchObject({
      found: ['docs/needle-notes.md'],
      hits: [`pkg3/mod4/file123.ts:1`],
      outline: ['Packed'],
      outside: 'OUTSIDE_WORKSPACE',
      disposed: { timedOut: [] },
      kit: 'function',
    });
    expect(seen.binaries).toEqual([
      { name: 'workspace', source: 'platform-package', path: expect.stringMatching(/skaffa-workspace(\.exe)?$/) },
      { name: 'markdown', source: 'platform-package', path: expect.stringMatching(/skaffa-markdown(\.exe)?$/) },
    ]);
    for (const b of seen.binaries) expect(path.dirname(b.path)).toBe(binDir);
    expect(seen.packagerPath).toBe(seen.binaries[0].path);
    expect(seen.pids).toEqual([expect.any(Number), expect.any(Number)]);
    await waitFor(() => seen.pids.every((pid: number) => !isAlive(pid)), 10_000, `${script}: every sidecar process gone`);
  }
}, 300_000);
