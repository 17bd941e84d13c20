/**
 * The default `IBinaryResolver`. Order: environment overrides (the manifest's own names first,
 * then `SKAFFA_SIDECAR_<NAME>_PATH`), then the dev build output `target/{debug,release}/<bin>`
 * under the repo root (the newer one wins, so whichever you built last runs, unless the context
 * names its profiles in order), then the installed platform package
 * `@skaffa-sidecars/<platform>-<arch>/bin/<bin>` (what an app that installed the library from npm
 * gets), then `<resourcesPath>/sidecars/<platform>-<arch>/<bin>` (where `sidecars/stage.js` and
 * the packaging examples put it) and `<resourcesPath>/<bin>`. Paths inside an Electron `app.asar`
 * are looked up in `app.asar.unpacked`, since nothing inside the archive can be executed. An
 * override that points at nothing usable is an error rather than a silent fallback, because
 * someone set it on purpose.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import { SidecarError } from '../../core/errors';
import type { BinarySpec } from '../manifest';
import { findPlatformPackage, platformPackageName, readPlatformPackage, unpackedPath } from './platform-package';
import {
  envOverrideName,
  ResolveContextToken,
  type Candidate,
  type CandidateSource,
  type IBinaryResolver,
  type ResolveContext,
  type ResolvedBinary,
} from './contract';

@injectable()
export class DefaultBinaryResolver implements IBinaryResolver {
  constructor(@inject(ResolveContextToken) private readonly ctx: ResolveContext) {}

  resolve(sidecar: string, spec: BinarySpec): ResolvedBinary {
    const candidates: Candidate[] = [];
    const accept = (c: Candidate): ResolvedBinary => ({ path: c.path, source: c.source, candidates });

    if ('command' in spec) {
      const c = this.check('command', spec.command);
      candidates.push(c);
      if (c.status === 'ok') return accept(c);
      throw this.notFound(sidecar, candidates);
    }

    const exe = this.ctx.platform === 'win32' ? `${spec.name}.exe` : spec.name;
    for (const envVar of [...(spec.envOverrides ?? []), envOverrideName(sidecar)]) {
      const value = this.ctx.env[envVar];
      if (!value) continue;
      const c = { ...this.check('env', path.resolve(value)), envVar };
      candidates.push(c);
      if (c.status === 'ok') return accept(c);
      throw this.notFound(sidecar, candidates, `${envVar} is set but does not point at a usable executable`);
    }

    if (this.ctx.repoRoot && !this.ctx.isPackaged) {
      const profiles = this.ctx.devProfiles ?? ['debug', 'release'];
      const dev = profiles.map((profile) => this.check('dev', path.join(this.ctx.repoRoot!, 'target', profile, exe)));
      candidates.push(...dev);
      const usable = dev.filter((c) => c.status === 'ok');
      // Without an explicit preference, whichever build is newer is the one the developer meant.
      if (!this.ctx.devProfiles) usable.sort((a, b) => mtime(b.path) - mtime(a.path));
      if (usable.length > 0) return accept(usable[0]);
    }

    const fromPackage = this.platformPackageCandidate(spec.name, exe);
    if (fromPackage) {
      candidates.push(fromPackage);
      if (fromPackage.status === 'ok') return accept(fromPackage);
    }

    if (this.ctx.resourcesPath) {
      const perPlatform = path.join(this.ctx.resourcesPath, 'sidecars', `${this.ctx.platform}-${this.ctx.arch ?? process.arch}`, exe);
      for (const file of [perPlatform, path.join(this.ctx.resourcesPath, exe)]) {
        const c = this.check('packaged', file);
        candidates.push(c);
        if (c.status === 'ok') return accept(c);
      }
    }
    throw this.notFound(sidecar, candidates);
  }

  /** The binary in the installed platform package, or why there is none; undefined when skipped. */
  private platformPackageCandidate(binary: string, exe: string): Candidate | undefined {
    if (this.ctx.platformPackageDir === null) return undefined;
    const names = { platform: this.ctx.platform, arch: this.ctx.arch ?? process.arch };
    const dir = this.ctx.platformPackageDir ?? findPlatformPackage(names);
    if (!dir) return { source: 'platform-package', path: platformPackageName(names), status: 'not-installed' };
    let rel = path.join('bin', exe);
    try {
      rel = readPlatformPackage(dir).binaries[binary] ?? rel;
    } catch {
      /* no readable manifest: look where the pack script puts binaries */
    }
    return this.check('platform-package', path.join(dir, rel));
  }

  private check(source: CandidateSource, requested: string): Candidate {
    // Electron's fs reads into app.asar, but spawn cannot run a file there; asarUnpack puts it here.
    const file = unpackedPath(requested);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return { source, path: file, status: 'missing' };
    }
    if (!stat.isFile()) return { source, path: file, status: 'not-a-file' };
    if (this.ctx.platform !== 'win32') {
      try {
        fs.accessSync(file, fs.constants.X_OK);
      } catch {
        return { source, path: file, status: 'not-executable' };
      }
    }
    return { source, path: file, status: 'ok' };
  }

  private notFound(sidecar: string, candidates: Candidate[], headline?: string): SidecarError {
    const lines = candidates.map((c) => `  - ${c.source}${c.envVar ? ` (${c.envVar})` : ''}: ${c.path} (${c.status})`);
    const hint = candidates.some((c) => c.source === 'dev') ? '\nBuild it with `cargo build --workspace` at the repo root.' : '';
    const missingPackage = candidates.find((c) => c.status === 'not-installed');
    const install = missingPackage
      ? `\nInstall ${missingPackage.path} (an optional dependency of skaffa-sidecars: npm skips it with --omit=optional, ` +
        'or when node_modules was installed on another platform).'
      : '';
    const notExec = candidates.some((c) => c.status === 'not-executable')
      ? '\nA candidate lacks the execute bit: packaging must keep it (chmod +x).'
      : '';
    const message = `${headline ?? 'no executable found'}; tried:\n${lines.join('\n') || '  (no candidates: set ' + envOverrideName(sidecar) + ')'}${hint}${install}${notExec}`;
    return new SidecarError('BINARY_NOT_FOUND', message, { sidecar, data: { candidates }, retryable: false });
  }
}

function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
