/**
 * What a sidecar declares about itself, and the DI token manifests register under. A manifest is
 * plain data plus one optional function (`launch`), so adding a sidecar means writing a manifest
 * and registering it, never changing the core. The generic parameters carry each method's params
 * and result types and each event's payload type, so `registry.client(manifest).call(...)` and
 * `.onEvent(...)` are typed end to end.
 */
import type { InjectionToken } from 'tsyringe';
import type { RestartPolicy, SupervisorOptions } from '../core/supervisor/contract';
import type { EnvPolicy } from './env';
import type { LaunchTransport } from './launch/contract';

/** A JSON Schema object (draft-07, as ajv compiles it). */
export type JsonSchema = Record<string, unknown>;

/**
 * One method of a sidecar. `P`, `R` and `C` (params, final result, streamed chunk) are phantom
 * types: they exist only for the compiler and are attached with `method<P, R, C>()`. `C` is
 * `never` for a method that does not stream.
 */
export interface MethodSpec<P = unknown, R = unknown, C = any> {
  /** JSON Schema of the params object; checked before anything is sent. */
  params: JsonSchema;
  /** JSON Schema of the result; checked when the answer arrives. */
  result: JsonSchema;
  /**
   * JSON Schema of one chunk of a streamed answer (by convention `schema/<method>.partial.json`).
   * Declaring it makes the method stream: `registry.stream()` / `onPartial` send `"stream": true`
   * and each chunk is checked on arrival like a result. Without it the method never streams.
   */
  partial?: JsonSchema;
  /** Default timeout of this method in ms (a call may override it). */
  timeoutMs?: number;
  /** Safe to run twice: retried once after the sidecar crashed and restarted. */
  idempotent?: boolean;
  description?: string;
  /** @internal phantom field carrying the types; never set at run time. */
  readonly __types?: { params: P; result: R; partial: C };
}

/** Attaches TypeScript types to a method's schemas; give `C` (and a `partial` schema) to stream. */
export function method<P, R, C = never>(spec: Omit<MethodSpec<P, R, C>, '__types'>): MethodSpec<P, R, C> {
  return spec;
}

/**
 * The JSON Schema of one event's payload (by convention `schema/<event>.event.json`). `T` is a
 * phantom type attached with `event<T>(schema)`, as `method()` does for calls; the object is the
 * schema itself, and every event is checked against it on arrival.
 */
export type EventSpec<T = unknown> = JsonSchema & {
  /** @internal phantom field carrying the payload type; never set at run time. */
  readonly __event?: T;
};

/** Attaches the payload type `T` to an event's schema (returns the schema unchanged). */
export function event<T>(schema: JsonSchema): EventSpec<T> {
  return schema as EventSpec<T>;
}

/**
 * One feed, declared by the sidecar that consumes it: each `event` that sidecar `from` sends is
 * passed, in order, as the params of this sidecar's `method`. `resync` (params `{}`) is called
 * instead whenever payloads may have been missed: after this sidecar or the producer (re)starts,
 * after a payload with `rescan: true`, a gap in a payload's numeric `generation`, or a failed
 * forward. The registry runs the feed only while this sidecar runs (see docs/architecture.md).
 */
export interface FeedSpec {
  /** Name of the producing sidecar (registered in the same registry). */
  from: string;
  /** The producer's event (declared in its manifest's `events`, when it declares any). */
  event: string;
  /** This sidecar's method that receives each payload as its params. */
  method: string;
  /** This sidecar's method that rebuilds its state from scratch; params `{}`. */
  resync?: string;
}

/** Where the executable comes from. */
export type BinarySpec =
  | {
      /** File name of a compiled binary, without `.exe` (added on Windows). Resolved as: env
       * override, then `target/{debug,release}/<name>` under the repo root (newest wins), then
       * `<resourcesPath>/<name>` in a packaged app. */
      name: string;
      /** Extra environment variables that override the path, checked before the derived one
       * (`SKAFFA_SIDECAR_<NAME>_PATH`). */
      envOverrides?: string[];
    }
  | {
      /** An explicit executable (e.g. `process.execPath` for a sidecar written in Node). */
      command: string;
      /** Arguments placed before the manifest's launch args (e.g. the script path). */
      args?: string[];
    };

/** Options of one app run that launch functions may use (the workspace root, for instance). */
export interface LaunchOptions {
  /** Folder the workspace sidecar indexes. */
  workspaceRoot?: string;
  /** Runs this registry's sidecars elsewhere (ssh, docker exec, wsl); local when omitted. With a
   * transport, `workspaceRoot` is a path on the far side. See docs/remote.md. */
  transport?: LaunchTransport;
  /** `false` starts local sidecars directly instead of under `skaffa-reaper` (default `true`;
   * see `SidecarManifest.contain` and docs/containment.md). */
  contain?: boolean;
  /** Anything else an app passes to its sidecars' launch functions. */
  [key: string]: unknown;
}

/** The command-line tail and environment a manifest adds for one launch. */
export interface LaunchArgs {
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** Everything the registry needs to know about a sidecar. */
export interface SidecarManifest<
  M extends Record<string, MethodSpec<any, any>> = Record<string, MethodSpec<any, any>>,
  E extends Record<string, EventSpec<any>> = Record<string, EventSpec>,
> {
  /** Unique, lowercase: `[a-z][a-z0-9-]*`. Also names the env override variable. */
  name: string;
  description?: string;
  binary: BinarySpec;
  /** Which of main's environment variables the sidecar inherits (default `scrubbed`; see `EnvInherit`). */
  env?: EnvPolicy;
  /** Computes args/env for a launch; may throw a clear error when a required option is missing. */
  launch?: (options: LaunchOptions) => LaunchArgs;
  methods: M;
  /**
   * The events the sidecar sends, by name, each with its payload schema (`event<T>(schema)`).
   * When present, every event is checked on arrival: one that breaks its schema, or whose name is
   * not listed here, is a protocol error (`invalid-event`) and never reaches a listener. Without
   * it, events are passed on unchecked and `onEvent` types their payloads as `unknown`.
   */
  events?: E;
  /** Other sidecars' events this one consumes (see `FeedSpec`); the registry starts each producer
   * when this sidecar starts, never the other way round. */
  feeds?: FeedSpec[];
  /**
   * `false` opts this sidecar out of containment: it is started directly rather than under
   * `skaffa-reaper`, which otherwise takes down everything it started when it exits or main dies
   * (even by SIGKILL). Default `true`; only local launches are contained. See docs/containment.md.
   */
  contain?: boolean;
  /** Overrides of the restart policy. */
  restart?: Partial<RestartPolicy>;
  /** Overrides of the other supervisor options. */
  supervisor?: Partial<Omit<SupervisorOptions, 'restart'>>;
}

/** Identity function that keeps a manifest's literal method and event maps for typing. */
export function defineSidecar<M extends Record<string, MethodSpec<any, any>>, E extends Record<string, EventSpec<any>> = Record<string, EventSpec>>(
  manifest: SidecarManifest<M, E>,
): SidecarManifest<M, E> {
  return manifest;
}

/** Params type of method `K` of manifest methods `M`. */
export type ParamsOf<M, K extends keyof M> = M[K] extends MethodSpec<infer P, any> ? P : never;
/** Result type of method `K` of manifest methods `M`. */
export type ResultOf<M, K extends keyof M> = M[K] extends MethodSpec<any, infer R> ? R : never;
/** Chunk type of method `K` when streamed (`never` when it does not stream: the loop sees none). */
export type PartialOf<M, K extends keyof M> = M[K] extends MethodSpec<any, any, infer C> ? C : never;

/** Payload type of event `K` of manifest events `E` (`unknown` for a manifest that declares none). */
export type EventOf<E, K extends keyof E> = E[K] extends EventSpec<infer T> ? T : never;

/** The extension point: every manifest registered under this token is a sidecar of the app. */
export const SidecarManifestToken: InjectionToken<SidecarManifest> = Symbol('skaffa.SidecarManifest');

/** The app's launch options (registered by `registerSidecarDefaults`). */
export const LaunchOptionsToken: InjectionToken<LaunchOptions> = Symbol('skaffa.LaunchOptions');

/** Supervisor defaults for every sidecar of the app (merged under each manifest's overrides). */
export const SupervisorDefaultsToken: InjectionToken<Partial<SupervisorOptions>> = Symbol('skaffa.SupervisorDefaults');
