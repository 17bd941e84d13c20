/**
 * The supervisor's public contract: its states, its options with their defaults, the typed event
 * map it emits, and the interface callers hold. One supervisor runs one sidecar; the
 * implementation in `supervisor.ts` is generic and learns about a concrete sidecar only through a
 * launch function and per-method settings.
 */
import type { Disposable, Listener } from '../events';
import type { ProtocolErrorKind } from '../transport/connection';

/**
 * Lifecycle: `idle → starting → ready → stopping → stopped`. A crash goes `ready → backoff →
 * starting`; too many crashes in the window end in `failed` until `restart()`.
 */
export type SidecarState = 'idle' | 'starting' | 'ready' | 'backoff' | 'failed' | 'stopping' | 'stopped';

/** Restart behaviour after an unexpected exit. */
export interface RestartPolicy {
  /** `on-failure` restarts after an unexpected exit; `never` goes straight to `failed`. */
  policy: 'on-failure' | 'never';
  /** First backoff ceiling; doubles per consecutive crash (full jitter: delay = random × ceiling). */
  baseDelayMs: number;
  /** Upper bound of the backoff ceiling. */
  maxDelayMs: number;
  /** This many crashes within `windowMs` put the sidecar in `failed`. */
  maxCrashes: number;
  windowMs: number;
  /** A process that stays ready this long clears the crash history. */
  healthyAfterMs: number;
}

/** Tunables of one supervisor. Every field has a default (see `DEFAULT_SUPERVISOR_OPTIONS`). */
export interface SupervisorOptions {
  restart: RestartPolicy;
  /** Interval of `$/ping` health checks while ready; 0 disables them. */
  pingIntervalMs: number;
  /** A ping unanswered this long means the sidecar is hung: it is killed and restarted. */
  pingTimeoutMs: number;
  /** How long the start handshake (`$/ping`) may take. */
  startTimeoutMs: number;
  /** Grace period after `$/shutdown` and again after SIGTERM before escalating. */
  shutdownGraceMs: number;
  /** Default per-call timeout when neither the call nor the method sets one. */
  defaultTimeoutMs: number;
  /** Calls that may wait for a sidecar that is not ready yet; more fail with SIDECAR_UNAVAILABLE. */
  maxQueuedCalls: number;
  /** Longest stdout line accepted; a longer one kills and restarts the sidecar. */
  maxLineBytes: number;
  /** How many stderr lines are kept for crash reports. */
  stderrTailLines: number;
}

export const DEFAULT_SUPERVISOR_OPTIONS: SupervisorOptions = {
  restart: {
    policy: 'on-failure',
    baseDelayMs: 250,
    maxDelayMs: 15_000,
    maxCrashes: 5,
    windowMs: 3 * 60_000,
    healthyAfterMs: 60_000,
  },
  pingIntervalMs: 15_000,
  pingTimeoutMs: 10_000,
  startTimeoutMs: 15_000,
  shutdownGraceMs: 2_000,
  defaultTimeoutMs: 30_000,
  maxQueuedCalls: 1_000,
  maxLineBytes: 64 * 1024 * 1024,
  stderrTailLines: 50,
};

/** Settings of one method that the supervisor needs (validation happens before, in the registry). */
export interface MethodPolicy {
  timeoutMs?: number;
  /** Idempotent methods are retried once after a crash restarts the sidecar. */
  idempotent?: boolean;
}

/** Options of one call. */
export interface CallOptions {
  /** Bounds the whole call, streamed or not: partial answers do not extend it. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Streams the call: the request asks for partial answers (`"stream": true`) and each chunk is
   * passed here in order before the call settles. A sidecar may ignore the request; then this is
   * never called and the whole answer is the final result. A call that has delivered a chunk is
   * not retried after a crash, even when its method is idempotent.
   */
  onPartial?: (chunk: unknown) => void;
}

/** Every event a supervisor emits; each payload names the sidecar. */
export interface SupervisorEvents {
  stateChange: { sidecar: string; from: SidecarState; to: SidecarState };
  stderr: { sidecar: string; line: string };
  event: { sidecar: string; event: string; data: unknown };
  crash: {
    sidecar: string;
    pid?: number;
    exitCode: number | null;
    signal: string | null;
    reason: string;
    stderrTail: string[];
  };
  restart: { sidecar: string; attempt: number; delayMs: number };
  failed: { sidecar: string; reason: string; crashes: number };
  protocolError: { sidecar: string; kind: ProtocolErrorKind; detail: string };
  request: { sidecar: string; id: string; method: string; durationMs: number; ok: boolean; code?: string };
  trace: { sidecar: string; direction: 'send' | 'recv'; message: unknown; time: number };
}

/** Options of `stop()` and `dispose()`. */
export interface StopOptions {
  /**
   * Upper bound for the whole shutdown, in ms (e.g. what an app can spare at quit). The polite
   * steps ($/shutdown, then SIGTERM, each waiting up to `shutdownGraceMs`) are cut short when the
   * deadline comes; then the process tree gets SIGKILL and the promise resolves. 0 kills at once.
   */
  deadlineMs?: number;
}

/** How the last process of a sidecar ended. */
export interface ExitRecord {
  code: number | null;
  signal: string | null;
  /** What main made of it ("exited unexpectedly with code 3", "stopped answering $/ping..."). */
  reason: string;
  /** True when main asked for it (stop, dispose, restart). */
  expected: boolean;
  /** Wall-clock time of the exit (`Date.now()`). */
  at: number;
}

/** A snapshot of one sidecar for a status view (`supervisor.health()`, `registry.health()`). */
export interface SidecarHealth {
  name: string;
  state: SidecarState;
  pid?: number;
  /** Requests sent and not answered yet. */
  inFlight: number;
  /** Calls waiting for the sidecar to become ready. */
  queued: number;
  /** Crashes within the restart policy's current window (`maxCrashes` of them mean `failed`). */
  crashesInWindow: number;
  /** Restarts after crashes since the supervisor was created. */
  restarts: number;
  /** Protocol errors since the supervisor was created. */
  protocolErrors: number;
  lastExit?: ExitRecord;
}

/** What a caller holds to use and observe one sidecar. */
export interface ISupervisor {
  readonly name: string;
  readonly state: SidecarState;
  /** Process id of the process main started for the sidecar, if running: skaffa-reaper's when the
   * sidecar is contained (the default for local launches; docs/containment.md), else the sidecar's. */
  readonly pid: number | undefined;
  /** Count of protocol errors seen since creation. */
  readonly protocolErrors: number;
  /** Starts eagerly and resolves when ready (or rejects with why it could not start). */
  start(): Promise<void>;
  /** Leaves `failed` (or restarts a running sidecar) and starts afresh with a clean crash history. */
  restart(): Promise<void>;
  /** Calls a method; params are sent as given (the registry validates them first). */
  call(method: string, params: Record<string, unknown>, options?: CallOptions): Promise<unknown>;
  /**
   * Graceful stop: `$/shutdown`, then SIGTERM, then SIGKILL to the whole tree. Calls in flight or
   * waiting when it begins fail with SIDECAR_UNAVAILABLE. It is not final: a call made while it
   * runs waits and is served by a new process started once the stop completes, and so is any
   * later call.
   */
  stop(options?: StopOptions): Promise<void>;
  /**
   * Stops for good. From the moment it is called, new calls fail at once with
   * SIDECAR_UNAVAILABLE; calls in flight fail the same way when the process goes. Once it
   * resolves no timer or process of this supervisor remains, and listeners are removed.
   */
  dispose(options?: StopOptions): Promise<void>;
  /** What an app shows in a status view: state, load, crashes, restarts, last exit. */
  health(): SidecarHealth;
  /** Subscribes to one event; dispose the result to unsubscribe. */
  on<K extends keyof SupervisorEvents>(name: K, listener: Listener<SupervisorEvents[K]>): Disposable;
}
