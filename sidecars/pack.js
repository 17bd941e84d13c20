#!/usr/bin/env node
/**
 * `npm run pack [-- --target <rust-triple>] [--out dist-pack] [--binaries <dir>]`: builds the shipping artefacts and
 * writes two npm tarballs into `dist-pack/`, the way esbuild and @parcel/watcher ship native code:
 *
 * - the library `skaffa-sidecars` (compiled JS, `.d.ts`, schemas, the Node protocol kit, README,
 *   LICENSE; its `package.json` without scripts or workspaces, and with one optional dependency
 *   per platform package, so npm installs only the one that matches the machine), and
 * - the platform package `@skaffa-sidecars/<platform>-<arch>` for the target (default: this
 *   machine), with `os`/`cpu` fields and the stripped `release` build of every Rust sidecar in
 *   `bin/`. Other platforms come from running this on each OS of the CI matrix, or with
 *   `--target` where a cross toolchain exists; `--binaries <dir>` packs binaries built
 *   elsewhere (another CI job) for `--target` instead of running cargo.
 *
 * Every binary's header is checked against the target's platform and CPU (sidecars/binary-format.js),
 * ELF binaries for leftover symbols, and the library's file list against what must never ship
 * (tests, Rust sources, bench files, source maps); any mismatch fails the pack. A `pack.json` next to the tarballs records names,
 * sizes, file counts and binary sizes.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { checkBinary, elfHasDebugSections } = require('./binary-format');
const { nodeNames, sidecarBinaries } = require('./stage');

const REPO = path.resolve(__dirname, '..');

/** Platform packages the library lists as optional dependencies (one per CI matrix entry). */
const PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'];

/** Paths that must never be in the library tarball. */
const FORBIDDEN = [/(^|\/)(test|tests|bench|examples|cli)\//, /\.rs$/, /(^|\/)Cargo\.(toml|lock)$/, /\.map$/, /\.tsbuildinfo$/, /(^|\/)\.github\//];

function parseArgs(argv) {
  const opts = { target: undefined, out: path.join(REPO, 'dist-pack'), binaries: undefined };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--target') opts.target = argv[i + 1];
    else if (argv[i] === '--out') opts.out = path.resolve(argv[i + 1]);
    else if (argv[i] === '--binaries') opts.binaries = path.resolve(argv[i + 1]);
    else throw new Error(`unknown argument ${argv[i]} (usage: npm run pack -- [--target <rust-triple>] [--out <dir>] [--binaries <dir>])`);
    if (argv[i + 1] === undefined) throw new Error(`${argv[i]} needs a value`);
  }
  return opts;
}

function run(cmd, args, cwd = REPO) {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' && cmd === 'npm' });
}

/** `npm pack --json` of `dir` into `out`; returns npm's summary of the tarball. */
function npmPack(dir, out, dryRun = false) {
  const args = ['pack', '--json', ...(dryRun ? ['--dry-run'] : ['--pack-destination', out])];
  const json = execFileSync('npm', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], shell: process.platform === 'win32' });
  return JSON.parse(json)[0];
}

/** The platform package: package.json, README.md and bin/<each sidecar>, checked for the target. */
function stagePlatformPackage(stage, triple, built, version) {
  const { platform, arch } = nodeNames(triple);
  if (!PLATFORMS.includes(`${platform}-${arch}`)) {
    throw new Error(`${platform}-${arch} is not a platform the library lists as an optional dependency (PLATFORMS in sidecars/pack.js)`);
  }
  const name = `@skaffa-sidecars/${platform}-${arch}`;
  fs.mkdirSync(path.join(stage, 'bin'), { recursive: true });
  const binaries = {};
  const sizes = {};
  const expected = sidecarBinaries();
  for (const bin of expected) {
    const file = platform === 'win32' ? `${bin}.exe` : bin;
    const to = path.join(stage, 'bin', file);
    // Every binary the cargo workspace declares ships: a platform package without one would install fine and fail at run time.
    if (!fs.existsSync(path.join(built, file))) throw new Error(`${file} is missing from ${built}: the platform package needs every sidecar binary (${expected.join(', ')})`);
    fs.copyFileSync(path.join(built, file), to);
    if (platform !== 'win32') fs.chmodSync(to, 0o755); // npm keeps the mode; Electron packagers copy it
    checkBinary(to, platform, arch);
    if (elfHasDebugSections(to)) throw new Error(`${to} has symbols or debug info: the release profile must strip (Cargo.toml)`);
    binaries[bin] = `bin/${file}`;
    sizes[bin] = fs.statSync(to).size;
  }
  const manifest = {
    name,
    version,
    description: `The prebuilt Skaffa sidecar binaries (${Object.keys(binaries).join(', ')}) for ${platform}-${arch}; installed by skaffa-sidecars as an optional dependency.`,
    license: 'MIT',
    os: [platform],
    cpu: [arch],
    // The Linux binaries link glibc; npm ≥ 10.4 then skips the package on musl instead of installing a binary that cannot start.
    ...(triple.endsWith('-linux-gnu') ? { libc: ['glibc'] } : {}),
    files: ['bin', 'README.md'],
    preferUnplugged: true,
    skaffaSidecars: { target: triple, binaries },
  };
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(
    path.join(stage, 'README.md'),
    `# ${name}\n\nThe stripped release builds of the Skaffa sidecars for \`${triple}\`. Do not depend on it ` +
      'directly: `skaffa-sidecars` lists it as an optional dependency and finds it at run time ' +
      '(`sidecarBinaryPath(name)` returns a binary\'s path for packagers).\n',
  );
  return { name, sizes };
}

/**
 * The library, staged from the sources: compiled afresh into the stage (so a stale file in dist/
 * can never ship, and without source maps), the plain files next to it, and a package.json fit
 * for publishing; npm's `files` list then selects what goes into the tarball.
 */
function stageLibrary(stage, version) {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [REPO] });
  const out = ['--outDir', path.join(stage, 'dist'), '--tsBuildInfoFile', path.join(stage, '.lib.tsbuildinfo')];
  run(process.execPath, [tsc, '-p', 'tsconfig.lib.json', ...out, '--sourceMap', 'false']);
  for (const rel of ['README.md', 'LICENSE', 'sidecars/node-protocol/index.js', 'sidecars/node-protocol/index.d.ts']) {
    fs.mkdirSync(path.dirname(path.join(stage, rel)), { recursive: true });
    fs.copyFileSync(path.join(REPO, rel), path.join(stage, rel));
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  // The repository's package.json is `private` so a stray `npm publish` at the root cannot ship
  // the development manifest; the published one is this staged copy.
  for (const key of ['workspaces', 'scripts', 'devDependencies', 'private']) delete pkg[key];
  pkg.optionalDependencies = Object.fromEntries(PLATFORMS.map((p) => [`@skaffa-sidecars/${p}`, version]));
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const listed = npmPack(stage, undefined, true).files.map((f) => f.path);
  const bad = listed.filter((p) => FORBIDDEN.some((re) => re.test(p)));
  if (bad.length) throw new Error(`the library's file list includes what must not ship: ${bad.join(', ')}`);
}

let host;
function hostTriple() {
  host ??= /^host: (.+)$/m.exec(execFileSync('rustc', ['-vV'], { encoding: 'utf8' }))[1];
  return host;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const triple = opts.target ?? hostTriple();
  const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

  if (opts.binaries && !opts.target) throw new Error('--binaries needs --target: the platform the binaries were built for');
  if (!opts.binaries) run('cargo', ['build', '--workspace', '--release', '--locked', ...(opts.target ? ['--target', opts.target] : [])]);
  const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(process.env.CARGO_TARGET_DIR) : path.join(REPO, 'target');
  // cargo writes to target/<triple>/ whenever --target is given, even for the host's triple.
  const built = opts.binaries ?? path.join(targetDir, ...(opts.target ? [opts.target] : []), 'release');

  const stageRoot = path.join(opts.out, '.stage');
  fs.rmSync(stageRoot, { recursive: true, force: true });
  fs.mkdirSync(opts.out, { recursive: true });
  const platformStage = path.join(stageRoot, 'platform');
  const libraryStage = path.join(stageRoot, 'library');
  const platform = stagePlatformPackage(platformStage, triple, built, version);
  stageLibrary(libraryStage, version);

  const library = npmPack(libraryStage, opts.out);
  const binaries = npmPack(platformStage, opts.out);
  fs.rmSync(stageRoot, { recursive: true, force: true });
  const summary = {
    target: triple,
    library: { name: library.name, file: library.filename, size: library.size, unpackedSize: library.unpackedSize, files: library.entryCount },
    platform: { name: platform.name, file: binaries.filename, size: binaries.size, unpackedSize: binaries.unpackedSize, files: binaries.entryCount, binaries: platform.sizes },
  };
  fs.writeFileSync(path.join(opts.out, 'pack.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
  console.log(`pack: ${summary.library.file}: ${mb(library.size)} (${library.entryCount} files, ${mb(library.unpackedSize)} unpacked)`);
  console.log(`pack: ${summary.platform.file}: ${mb(binaries.size)} (${binaries.entryCount} files; ${Object.entries(platform.sizes).map(([b, s]) => `${b} ${mb(s)}`).join(', ')})`);
}

try {
  main();
} catch (e) {
  console.error(`pack: ${e.message}`);
  process.exit(1);
}
