/**
 * The registry's public contract: how main calls any registered sidecar, gets a typed client for
 * one, lists them, observes them and shuts them all down. The implementation lives in
 * `registry.ts`; apps and extensions depend on this file only.
 */
import type { InjectionToken } from 'tsyringe';
import type { Disposable, Listener } from '../core/events';
import type { CallOptions, ISupervisor, SidecarHealth, SidecarState, StopOptions, SupervisorEvents } from '../core/supervisor/contract';
import type { Candidate, CandidateSource } from './binary/contract';
import type { ResultStream } from '../core/result-stream';
import type { EventOf, EventSpec, MethodSpec, ParamsOf, PartialOf, ResultOf, SidecarManifest } from './manifest';

/** Options of a streamed call: those of `call`, with the chunks going to the stream instead. */
export type StreamOptions = Omit<CallOptions, 'onPartial'>;

/** A typed handle on one sidecar, derived from its manifest (`M` its methods, `E` its events). */
export interface SidecarClient<M extends Record<string, MethodSpec<any, any>>, E extends Record<string, EventSpec<any>> = Record<string, EventSpec>> {
  readonly name: string;
  readonly supervisor: ISupervisor;
  call<K extends keyof M & string>(method: K, params: ParamsOf<M, K>, options?: CallOptions): Promise<ResultOf<M, K>>;
  /** Streams a call: its chunks, typed from the method's partial schema, then its final result. */
  stream<K extends keyof M & string>(method: K, params: ParamsOf<M, K>, options?: StreamOptions): ResultStream<PartialOf<M, K>, ResultOf<M, K>>;
  /**
   * Listens to one event the sidecar sends (e.g. `workspace/didChange`), its payload typed from the
   * manifest's `events`. When the manifest declares events, only payloads that passed its schema arrive.
   */
  onEvent<K extends keyof E & string>(event: K, listener: (data: EventOf<E, K>) => void): Disposable;
}

/** The client type of a manifest: `ClientOf<typeof workspaceManifest>`. */
export type ClientOf<S> = S extends SidecarManifest<infer M, infer E> ? SidecarClient<M, E> : never;

/** A row of `registry.list()`: what is registered, which binary it would run, its state. */
export interface SidecarInfo {
  name: string;
  description?: string;
  state: SidecarState;
  pid?: number;
  methods: string[];
  binary: { path?: string; source?: CandidateSource; error?: string; candidates: Candidate[] };
}

/** A row of `registry.feeds()`: one feed a manifest declares (`FeedSpec`) and what it has done. */
export interface FeedStatus {
  /** The consuming sidecar (whose manifest declares the feed). */
  to: string;
  from: string;
  event: string;
  method: string;
  resync?: string;
  /** True while the consumer runs (starting, ready or restarting): only then is the producer listened to. */
  active: boolean;
  /** Payloads the consumer's method accepted. */
  forwarded: number;
  /** Resyncs the consumer's resync method completed. */
  resyncs: number;
  /** Payloads not forwarded because a resync covers them (or the consumer was not ready). */
  dropped: number;
  /** Forwards and resyncs waiting or in flight. */
  queued: number;
  /** The last failed forward or resync (cleared by nothing: a status view shows when it was). */
  lastError?: { message: string; code?: string; at: number };
}

/** Main's single entry point to every sidecar. */
export interface ISidecarRegistry {
  /** Names of all registered sidecars, in registration order. */
  names(): string[];
  /** The supervisor of one sidecar (throws for an unknown name). */
  supervisor(name: string): ISupervisor;
  /** Validates params, calls, validates the result. All failures are `SidecarError`s. */
  call(sidecar: string, method: string, params?: Record<string, unknown>, options?: CallOptions): Promise<unknown>;
  /**
   * Streams a call (validated like `call`, each chunk against the method's partial schema):
   * `for await (const chunk of s) …; const final = await s.result`. Leaving the loop early or
   * aborting `options.signal` sends `$/cancel`. A method whose manifest declares no partial
   * schema, or a sidecar that ignores the request, yields no chunks and ends with the result.
   */
  stream(sidecar: string, method: string, params?: Record<string, unknown>, options?: StreamOptions): ResultStream<unknown, unknown>;
  /** A typed client for a registered manifest. */
  client<M extends Record<string, MethodSpec<any, any>>, E extends Record<string, EventSpec<any>>>(manifest: SidecarManifest<M, E>): SidecarClient<M, E>;
  /** Starts the named sidecars (all when omitted) eagerly. */
  start(names?: string[]): Promise<void>;
  /** Describes every sidecar, resolving (not starting) its binary. */
  list(): SidecarInfo[];
  /** Subscribes to an event of every sidecar; payloads carry the sidecar's name. */
  on<K extends keyof SupervisorEvents>(name: K, listener: Listener<SupervisorEvents[K]>): Disposable;
  /** A health snapshot of every sidecar (in-flight and queued calls, crashes, restarts, last exit). */
  health(): SidecarHealth[];
  /** Every feed the manifests declare (one sidecar's events into another's method), with its counters. */
  feeds(): FeedStatus[];
  /**
   * Stops every feed, then shuts every sidecar down gracefully and leaves no process behind. New calls fail at once with
   * SIDECAR_UNAVAILABLE from the moment it is called; `deadlineMs` bounds the whole shutdown
   * (SIGKILL when it comes). Calling it again returns the same promise.
   */
  dispose(options?: StopOptions): Promise<void>;
}

/** DI token for the registry. */
export const SidecarRegistryToken: InjectionToken<ISidecarRegistry> = Symbol('skaffa.SidecarRegistry');
