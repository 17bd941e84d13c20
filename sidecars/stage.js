#!/usr/bin/env node
/**
 * Builds every Rust sidecar of the cargo workspace and stages the binaries where packaging picks
 * them up: `<out>/sidecars/<platform>-<arch>/<bin>[.exe]`, with Node's platform and arch names
 * (linux-x64, darwin-arm64, win32-x64…), so binaries for several targets can sit side by side and
 * electron-builder's `${platform}-${arch}` macros name the right folder. It keeps the execute bit
 * and writes a `staged.json` with each binary's size and SHA-256 for release notes and checks.
 *
 * Usage: node sidecars/stage.js [--target <rust-triple>] [--profile release|debug] [--out dist-sidecars]
 */
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..');

/** Rust target triple → Node's `process.platform` / `process.arch` names. */
function nodeNames(triple) {
  const arch = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm' }[triple.split('-')[0]];
  const platform = triple.includes('windows') ? 'win32' : triple.includes('apple') ? 'darwin' : triple.includes('linux') ? 'linux' : undefined;
  if (!arch || !platform) throw new Error(`unsupported target triple ${triple}`);
  return { platform, arch };
}

function parseArgs(argv) {
  const opts = { profile: 'release', out: path.join(REPO, 'dist-sidecars'), target: undefined };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--target') opts.target = value;
    else if (argv[i] === '--profile') opts.profile = value;
    else if (argv[i] === '--out') opts.out = path.resolve(value);
    else throw new Error(`unknown argument ${argv[i]} (see the usage line at the top of sidecars/stage.js)`);
    i++;
  }
  if (!['release', 'debug'].includes(opts.profile)) throw new Error('--profile must be release or debug');
  return opts;
}

/** The binaries the workspace's sidecar crates declare, from `cargo metadata`. */
function sidecarBinaries() {
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: REPO, encoding: 'utf8' }));
  return meta.packages.flatMap((p) => p.targets.filter((t) => t.kind.includes('bin')).map((t) => t.name));
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const host = /^host: (.+)$/m.exec(execFileSync('rustc', ['-vV'], { encoding: 'utf8' }))[1];
  const triple = opts.target ?? host;
  const { platform, arch } = nodeNames(triple);
  const cargoArgs = ['build', '--workspace', '--locked', ...(opts.profile === 'release' ? ['--release'] : [])];
  if (opts.target) cargoArgs.push('--target', opts.target);
  execFileSync('cargo', cargoArgs, { cwd: REPO, stdio: 'inherit' });

  const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(process.env.CARGO_TARGET_DIR) : path.join(REPO, 'target');
  const built = path.join(targetDir, ...(opts.target ? [opts.target] : []), opts.profile);
  const dest = path.join(opts.out, 'sidecars', `${platform}-${arch}`);
  fs.mkdirSync(dest, { recursive: true });
  const staged = [];
  for (const name of sidecarBinaries()) {
    const file = platform === 'win32' ? `${name}.exe` : name;
    const to = path.join(dest, file);
    fs.copyFileSync(path.join(built, file), to);
    // Packaging tools copy file modes; make sure there is an execute bit to copy.
    if (platform !== 'win32') fs.chmodSync(to, 0o755);
    const bytes = fs.readFileSync(to);
    staged.push({ name, file: path.relative(opts.out, to).split(path.sep).join('/'), size: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') });
  }
  fs.writeFileSync(path.join(dest, 'staged.json'), `${JSON.stringify({ target: triple, platform, arch, profile: opts.profile, binaries: staged }, null, 2)}\n`);
  for (const s of staged) console.log(`staged ${s.file} (${(s.size / 1e6).toFixed(1)} MB)`);
}

module.exports = { nodeNames, sidecarBinaries };

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error(`stage: ${e.message}`);
    process.exit(1);
  }
}
