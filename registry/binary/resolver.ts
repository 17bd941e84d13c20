/**
 * The default `IBinaryResolver`. Order: environment overrides (the manifest's own names first,
 * then `SKAFFA_SIDECAR_<NAME>_PATH`), then the dev build output `target/{debug,release}/<bin>`
 * under the repo root (the newer one wins, so whichever you built last runs), then, in a packaged
 * app, `<resourcesPath>/sidecars/<platform>-<arch>/<bin>` (where `sidecars/stage.js` and the
 * packaging examples put it) and `<resourcesPath>/<bin>`. An override that points at nothing usable is an error
 * rather than a silent fallback, because someone set it on purpose.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import { SidecarError } from '../../core/errors';
import type { BinarySpec } from '../manifest';
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
      const dev = ['debug', 'release'].map((profile) => this.check('dev', path.join(this.ctx.repoRoot!, 'target', profile, exe)));
      candidates.push(...dev);
      const usable = dev.filter((c) => c.status === 'ok').sort((a, b) => mtime(b.path) - mtime(a.path));
      if (usable.length > 0) return accept(usable[0]);
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

  private check(source: CandidateSource, file: string): Candidate {
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
    const notExec = candidates.some((c) => c.status === 'not-executable')
      ? '\nA candidate lacks the execute bit: packaging must keep it (chmod +x).'
      : '';
    const message = `${headline ?? 'no executable found'}; tried:\n${lines.join('\n') || '  (no candidates: set ' + envOverrideName(sidecar) + ')'}${hint}${notExec}`;
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
