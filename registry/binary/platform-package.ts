/**
 * Prebuilt sidecar binaries the npm way: like esbuild or @parcel/watcher, every Rust sidecar of
 * this package ships, stripped, in one package per platform (`@skaffa-sidecars/linux-x64`,
 * `@skaffa-sidecars/darwin-arm64`, …) that the library lists as optional dependencies, so npm
 * installs only the one whose `os`/`cpu` fields match. This file names those packages, finds the
 * installed one, and gives packagers each binary's path (as `@vscode/ripgrep` exports `rgPath`).
 * Paths inside an Electron `app.asar` are rewritten to `app.asar.unpacked`: the OS cannot execute
 * a file inside the archive, and that is where `asarUnpack` puts it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The npm scope of the platform packages. */
export const PLATFORM_PACKAGE_SCOPE = '@skaffa-sidecars';

/** Platform and architecture in Node's names (`process.platform`, `process.arch`). */
export interface PlatformOptions {
  platform?: NodeJS.Platform;
  arch?: string;
  /** Folder to resolve the package from (default: this library's own folder). */
  from?: string;
}

/** What a platform package's package.json says about its binaries (field `skaffaSidecars`). */
export interface PlatformPackageInfo {
  /** The Rust target triple the binaries were built for. */
  target: string;
  /** Binary name (e.g. `skaffa-workspace`) → path relative to the package folder. */
  binaries: Record<string, string>;
}

/** `@skaffa-sidecars/<platform>-<arch>` for the given (default: running) platform. */
export function platformPackageName(options: PlatformOptions = {}): string {
  return `${PLATFORM_PACKAGE_SCOPE}/${options.platform ?? process.platform}-${options.arch ?? process.arch}`;
}

/**
 * The folder of the installed platform package, resolved the way Node would from this library's
 * own location (so it finds the copy npm installed next to it), or undefined when it is not
 * installed. Inside an Electron archive the unpacked path is returned.
 */
export function findPlatformPackage(options: PlatformOptions = {}): string | undefined {
  try {
    return unpackedPath(path.dirname(require.resolve(`${platformPackageName(options)}/package.json`, { paths: [options.from ?? __dirname] })));
  } catch {
    return undefined;
  }
}

/** Reads the `skaffaSidecars` field of the platform package in `dir`. */
export function readPlatformPackage(dir: string): PlatformPackageInfo {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { skaffaSidecars?: PlatformPackageInfo };
  if (!manifest.skaffaSidecars?.binaries) throw new Error(`${dir}/package.json has no skaffaSidecars.binaries field`);
  return manifest.skaffaSidecars;
}

/**
 * Absolute path of one sidecar binary (`skaffa-workspace`, `skaffa-markdown`; without `.exe`) in
 * the installed platform package: what a packager copies next to the app. Throws with the
 * package to install when it is missing.
 */
export function sidecarBinaryPath(binary: string, options: PlatformOptions = {}): string {
  const paths = sidecarBinaryPaths(options);
  const file = paths[binary];
  if (!file) throw new Error(`${platformPackageName(options)} has no binary ${binary} (it has: ${Object.keys(paths).join(', ') || 'none'})`);
  return file;
}

/** Every binary of the installed platform package: binary name → absolute path. */
export function sidecarBinaryPaths(options: PlatformOptions = {}): Record<string, string> {
  const dir = findPlatformPackage(options);
  if (!dir) {
    throw new Error(
      `${platformPackageName(options)} is not installed; it is an optional dependency of skaffa-sidecars, skipped by ` +
        '`npm install --omit=optional` and on other platforms than the one that installed it',
    );
  }
  const out: Record<string, string> = {};
  for (const [name, rel] of Object.entries(readPlatformPackage(dir).binaries)) out[name] = path.join(dir, rel);
  return out;
}

/** `…/app.asar/…` → `…/app.asar.unpacked/…`; any other path unchanged. */
export function unpackedPath(file: string): string {
  return file.replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked');
}
