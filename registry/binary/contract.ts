/**
 * The binary-resolution seam: given a sidecar's `BinarySpec` and the app's environment, find the
 * executable to run, or explain every place that was tried and why it was not usable. Electron's
 * `app.isPackaged` and `process.resourcesPath` are plain inputs here, so the same code runs in
 * Electron, in plain Node and in tests.
 */
import type { InjectionToken } from 'tsyringe';
import type { BinarySpec } from '../manifest';

/** Where a candidate came from, in resolution order. */
export type CandidateSource = 'env' | 'dev' | 'platform-package' | 'packaged' | 'command';

/** One place the resolver looked. */
export interface Candidate {
  source: CandidateSource;
  path: string;
  /** `ok`, or why it was rejected. */
  status: 'ok' | 'missing' | 'not-executable' | 'not-a-file' | 'not-installed';
  /** The environment variable for `env` candidates. */
  envVar?: string;
}

/** The outcome of a successful resolution. */
export interface ResolvedBinary {
  path: string;
  source: CandidateSource;
  /** Every candidate considered, in order (for `sidecars` listings and error messages). */
  candidates: Candidate[];
}

/** Facts about the running app that resolution depends on. */
export interface ResolveContext {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  /** Node's `process.arch`; names the packaged folder `sidecars/<platform>-<arch>/`. */
  arch?: string;
  /** Repo root holding `target/` in development; omitted in a packaged app. */
  repoRoot?: string;
  /**
   * Cargo profiles tried under `target/`, in order of preference. Default: `debug` and `release`,
   * the newer build first. The CLI passes `['release', 'debug']` so it runs the optimised build.
   */
  devProfiles?: string[];
  /**
   * Folder of the installed platform package (`@skaffa-sidecars/<platform>-<arch>`); by default
   * found the way Node resolves it from this library. `null` skips the step.
   */
  platformPackageDir?: string | null;
  /** Electron's `process.resourcesPath`. */
  resourcesPath?: string;
  /** Electron's `app.isPackaged`. */
  isPackaged: boolean;
}

/** Finds sidecar executables. Throws `SidecarError('BINARY_NOT_FOUND')` listing the candidates. */
export interface IBinaryResolver {
  resolve(sidecar: string, spec: BinarySpec): ResolvedBinary;
}

/** DI token for the resolver. */
export const BinaryResolverToken: InjectionToken<IBinaryResolver> = Symbol('skaffa.BinaryResolver');

/** DI token for the resolve context (defaults from `process` in `registerSidecarDefaults`). */
export const ResolveContextToken: InjectionToken<ResolveContext> = Symbol('skaffa.ResolveContext');

/** The override variable every sidecar gets: `SKAFFA_SIDECAR_<NAME>_PATH`. */
export function envOverrideName(sidecar: string): string {
  return `SKAFFA_SIDECAR_${sidecar.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PATH`;
}
