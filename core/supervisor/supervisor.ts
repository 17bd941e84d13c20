/**
 * The generic supervisor: one per sidecar, whatever the sidecar does. It starts the process on
 * demand, waits for a `$/ping` handshake before serving calls, queues calls made meanwhile,
 * restarts after crashes with jittered backoff until a crash window says stop, kills a sidecar that
 * stops answering pings, and shuts down politely before it shuts down hard. Everything it observes
 * is emitted as a typed event; every failure reaches the caller as a `SidecarError`.
 *
 * How it is built, so that one call can be followed from end to end:
 * - One state machine. `phase` is the only lifecycle variable: its `state` is the public
 *   `SidecarState`, and it carries exactly the data that state needs (the current incarnation
 *   while starting, ready or stopping; the backoff timer; the error that made it fail; the promise
 *   of a stop in progress). Every change goes through `enter()`, which refuses an illegal
 *   transition, releases what the old phase held (the backoff timer) and emits `stateChange`.
 *
 *     idle ──call or start()──▶ starting ──handshake answered──▶ ready
 *     starting ──launcher failed (no binary: not a crash)──▶ idle
 *     starting, ready ──crash──▶ backoff ──delay over──▶ starting
 *     starting, ready ──crash that fills the window, or policy "never"──▶ failed ──restart()──▶ idle
 *     any state but stopped ──stop() or dispose()──▶ stopping ──process gone──▶ stopped
 *     stopped ──call or start()──▶ starting;  stopped ──restart()──▶ idle
 *
 * - One process, one `Incarnation` (incarnation.ts): the child, its connection and calls in
 *   flight, its stderr tail and its health-check timers, created when a start begins and disposed
 *   of as a whole when the process exits, so nothing of an old process can act on a new one.
 * - Three entry points move the machine: `launch()` (a start attempt, from a waiting call, the
 *   backoff timer or the end of a stop), `onExit()` (what a process exit means: expected during
 *   a stop, else a crash that leads to backoff or failed), and `stop()`.
 * - Calls waiting for a ready process are the supervisor's (`waiters`, wait-queue.ts): they outlive
 *   incarnations; calls in flight belong to the incarnation's connection and end with it.
 * - What the sidecar reports (events, protocol errors, request records, traces, stderr) is turned
 *   into supervisor events in one place, `observer`.
 */
import Emittery from 'emittery';
import type { IClock, TimerHandle } from '../clock';
import { SidecarError } from '../errors';
import { toDisposable, type Disposable, type Listener } from '../events';
import type { ILogger } from '../logger';
import type { ExitInfo, IProcessSpawner, SpawnRequest } from '../process/contract';
import type { Connection } from '../transport/connection';
import { backoffDelay, CrashWindow } from './backoff';
import type {
  CallOptions,
  ExitRecord,
  ISupervisor,
  MethodPolicy,
  SidecarHealth,
  SidecarState,
  StopOptions,
  SupervisorEvents,
  SupervisorOptions,
} from './contract';
import { Incarnation, type IncarnationOwner } from './incarnation';
import { RateLimitedWarning } from './log-limiter';
import { WaitQueue } from './wait-queue';

/** Produces the command line of the next process; may throw BINARY_NOT_FOUND. */
export type Launcher = () => SpawnRequest | Promise<SpawnRequest>;

/** Everything a supervisor needs, resolved by the registry from the container. */
export interface SupervisorDeps {
  spawner: IProcessSpawner;
  clock: IClock;
  logger: ILogger;
  /** Checks an event on arrival: a description of what is wrong with it, or undefined when fine. A
   * problem makes it a protocol error (`invalid-event`), counted and emitted, never an `event`. */
  checkEvent?: (event: string, data: unknown) => string | undefined;
}

/** A lifecycle state with the data that exists only in it. */
type Phase =
  | { state: 'idle' | 'stopped' }
  | { state: 'starting' | 'ready'; incarnation: Incarnation }
  | { state: 'backoff'; timer: TimerHandle }
  | { state: 'failed'; error: SidecarError }
  | { state: 'stopping'; incarnation?: Incarnation; done: Promise<void> };

/** The legal transitions; `enter()` refuses any other. */
const TRANSITIONS: Readonly<Record<SidecarState, readonly SidecarState[]>> = {
  idle: ['starting', 'stopping'],
  // Back to idle when the launcher fails: a missing binary is not a crash.
  starting: ['ready', 'idle', 'backoff', 'failed', 'stopping'],
  ready: ['backoff', 'failed', 'stopping'],
  backoff: ['starting', 'stopping'],
  failed: ['idle', 'stopping'],
  stopping: ['stopped'],
  stopped: ['starting', 'idle', 'stopping'],
};

/** Lines of stderr attached to a crash error (the event carries the full tail). */
const ERROR_TAIL_LINES = 20;

export class Supervisor implements ISupervisor {
  private phase: Phase = { state: 'idle' };
  /** Calls waiting for a ready process; they outlive incarnations. */
  private readonly waiters: WaitQueue<Connection>;
  /** Set from the moment `dispose()` is called: new calls fail at once. This is the end of the
   * supervisor itself, not a state of the sidecar, which then only goes on to `stopped`. */
  private disposed = false;
  private readonly crashes: CrashWindow;
  private lastExit?: ExitRecord;
  private restarts = 0;
  private _protocolErrors = 0;
  private readonly protocolLog: RateLimitedWarning;
  private readonly emitter = new Emittery<SupervisorEvents>();
  private readonly listening: Partial<Record<keyof SupervisorEvents, number>> = {};

  constructor(
    readonly name: string,
    private readonly launcher: Launcher,
    private readonly methods: Readonly<Record<string, MethodPolicy>>,
    private readonly options: SupervisorOptions,
    private readonly deps: SupervisorDeps,
  ) {
    this.crashes = new CrashWindow(options.restart);
    this.waiters = new WaitQueue(deps.clock);
    this.protocolLog = new RateLimitedWarning('protocol errors', { sidecar: name }, deps.clock, deps.logger);
  }

  get state(): SidecarState {
    return this.phase.state;
  }

  get pid(): number | undefined {
    return this.incarnation?.pid;
  }

  get protocolErrors(): number {
    return this._protocolErrors;
  }

  health(): SidecarHealth {
    return {
      name: this.name,
      state: this.phase.state,
      pid: this.pid,
      inFlight: this.incarnation?.inFlight ?? 0,
      queued: this.waiters.size,
      crashesInWindow: this.crashes.countAt(this.deps.clock.now()),
      restarts: this.restarts,
      protocolErrors: this._protocolErrors,
      lastExit: this.lastExit && { ...this.lastExit },
    };
  }

  on<K extends keyof SupervisorEvents>(name: K, listener: Listener<SupervisorEvents[K]>): Disposable {
    this.listening[name] = (this.listening[name] ?? 0) + 1;
    const off = this.emitter.on(name, listener);
    return toDisposable(() => {
      off();
      this.listening[name] = (this.listening[name] ?? 1) - 1;
    });
  }

  async start(): Promise<void> {
    await this.ready('$/start', Infinity);
  }

  async restart(): Promise<void> {
    this.assertNotDisposed('$/restart');
    if (this.incarnation?.spawned) await this.stop();
    this.crashes.reset();
    if (this.phase.state === 'failed' || this.phase.state === 'stopped') this.enter({ state: 'idle' });
    await this.start();
  }

  async call(method: string, params: Record<string, unknown>, options: CallOptions = {}): Promise<unknown> {
    const policy = this.methods[method] ?? {};
    const timeoutMs = options.timeoutMs ?? policy.timeoutMs ?? this.options.defaultTimeoutMs;
    const deadline = this.deps.clock.now() + timeoutMs;
    // Chunks already handed to the caller cannot be taken back, so a streamed call that delivered
    // one is never run again.
    let delivered = false;
    const caller = options.onPartial;
    const onPartial = caller
      ? (chunk: unknown) => {
          delivered = true;
          caller(chunk);
        }
      : undefined;
    for (let attempt = 0; ; attempt++) {
      const conn = await this.ready(method, deadline, options.signal, timeoutMs);
      try {
        return await conn.request(method, params, {
          timeoutMs: deadline - this.deps.clock.now(),
          signal: options.signal,
          requestedTimeoutMs: timeoutMs,
          onPartial,
        });
      } catch (e) {
        // Only a crash is worth a retry, only once, and only when running the method twice is harmless.
        const retry =
          attempt === 0 && !delivered && policy.idempotent === true && SidecarError.is(e, 'SIDECAR_CRASHED') && !this.disposed;
        if (!retry) throw e;
        this.deps.logger.info(`retrying idempotent ${method} after a crash`, { sidecar: this.name });
      }
    }
  }

  /** Calls waiting when it begins fail; a stop in progress is shared (dispose during a stop, say). */
  stop(options: StopOptions = {}): Promise<void> {
    const phase = this.phase;
    if (phase.state === 'stopping') return phase.done;
    this.protocolLog.flush();
    if (phase.state === 'stopped') return Promise.resolve();
    const deadline = this.deps.clock.now() + (options.deadlineMs ?? Infinity);
    const incarnation = this.incarnation;
    // The shutdown runs from the next microtask, so that the state says `stopping` before it begins.
    const done = Promise.resolve().then(() => this.shutDown(incarnation, deadline));
    this.enter({ state: 'stopping', incarnation, done });
    this.waiters.rejectAll(this.unavailable('the sidecar is stopping'));
    return done;
  }

  private async shutDown(incarnation: Incarnation | undefined, deadline: number): Promise<void> {
    if (incarnation) {
      await incarnation.shutdown(deadline);
      // Normally the exit did this already; after a deadline the exit may still be coming, and is
      // then ignored: the incarnation is gone.
      incarnation.dispose((method) => this.unavailable('the sidecar was stopped before it answered', method));
    }
    this.enter({ state: 'stopped' });
    // Calls made while stopping were queued: they are served by a fresh process.
    if (this.waiters.size > 0 && !this.disposed) void this.launch();
  }

  async dispose(options: StopOptions = {}): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.waiters.rejectAll(this.unavailable('the sidecar registry was disposed'));
    await this.stop(options);
    this.emitter.clearListeners();
  }

  /** The incarnation the current phase holds, if any. */
  private get incarnation(): Incarnation | undefined {
    return 'incarnation' in this.phase ? this.phase.incarnation : undefined;
  }

  /** True while `incarnation` is the one the machine is in `state` with. */
  private holds(state: SidecarState, incarnation: Incarnation): boolean {
    return this.phase.state === state && this.incarnation === incarnation;
  }

  /** Resolves with a ready connection, starting the sidecar if needed; bounded by `deadline`. */
  private ready(method: string, deadline: number, signal?: AbortSignal, timeoutMs?: number): Promise<Connection> {
    this.assertNotDisposed(method);
    const phase = this.phase;
    if (phase.state === 'ready') return Promise.resolve(phase.incarnation.conn);
    if (phase.state === 'failed') {
      throw this.unavailable('the sidecar failed and is not restarted until restart() is called', method, phase.error);
    }
    if (this.waiters.size >= this.options.maxQueuedCalls) {
      throw this.unavailable(`too many calls waiting for the sidecar to start (${this.options.maxQueuedCalls})`, method, undefined, true);
    }
    const cancelled = () => new SidecarError('CANCELLED', 'the call was cancelled', { sidecar: this.name, method, cause: signal?.reason });
    if (signal?.aborted) throw cancelled();
    const wait = deadline - this.deps.clock.now();
    const late = () =>
      new SidecarError('TIMEOUT', `the sidecar was not ready in time (state: ${this.phase.state})`, {
        sidecar: this.name,
        method,
        data: { timeoutMs: timeoutMs ?? wait },
      });
    const served = this.waiters.wait(wait, signal, late, cancelled);
    if (phase.state === 'idle' || phase.state === 'stopped') void this.launch();
    return served;
  }

  /** One start attempt: a new incarnation, its command line, its process and handshake, then ready. */
  private async launch(): Promise<void> {
    const incarnation = new Incarnation(this.name, this.options, this.deps, this.observer);
    this.enter({ state: 'starting', incarnation });
    let request: SpawnRequest;
    try {
      request = await this.launcher();
    } catch (e) {
      // A missing binary is not a crash: stay idle so the next call tries again (e.g. after a build).
      const error = SidecarError.is(e) ? e : new SidecarError('BINARY_NOT_FOUND', String(e), { sidecar: this.name, cause: e });
      this.deps.logger.debug('start attempt failed', { sidecar: this.name, error: String(error) });
      if (!this.holds('starting', incarnation)) return;
      incarnation.dispose(() => error);
      this.enter({ state: 'idle' });
      this.waiters.rejectAll(error);
      return;
    }
    // Stopped while the launcher ran: the stop disposed of this incarnation and nothing is spawned.
    if (incarnation.gone) return;
    let conn: Connection;
    try {
      conn = await incarnation.start(request);
    } catch (e) {
      // The process was killed (or never ran); its exit reports the crash through onExit.
      this.deps.logger.debug('start attempt failed', { sidecar: this.name, error: String(e) });
      return;
    }
    if (!this.holds('starting', incarnation)) return;
    this.enter({ state: 'ready', incarnation });
    incarnation.watch();
    this.waiters.serve(conn);
  }

  /** What the current incarnation's process exit means (a disposed incarnation reports none). */
  private onExit(incarnation: Incarnation, info: ExitInfo): void {
    const expected = this.phase.state === 'stopping';
    const tail = incarnation.stderrTail();
    const reason = incarnation.exitReason(info);
    this.lastExit = { code: info.code, signal: info.signal, reason: expected ? 'was stopped' : reason, expected, at: Date.now() };
    const details = { sidecar: this.name, exitCode: info.code, signal: info.signal, stderrTail: tail.slice(-ERROR_TAIL_LINES) };
    const pid = incarnation.pid;
    incarnation.dispose((method) =>
      expected
        ? this.unavailable('the sidecar was stopped before it answered', method)
        : new SidecarError('SIDECAR_CRASHED', `the sidecar ${reason}`, { ...details, method }),
    );
    // During a stop, `shutDown()` finishes the job and enters `stopped`.
    if (expected) return;

    this.emit('crash', { sidecar: this.name, pid, exitCode: info.code, signal: info.signal, reason, stderrTail: tail });
    this.deps.logger.warn(`sidecar ${reason}`, { sidecar: this.name, stderrTail: tail.slice(-5) });
    const crashes = this.crashes.record(this.deps.clock.now());
    if (this.options.restart.policy === 'never' || this.crashes.exhausted()) {
      const error = new SidecarError('SIDECAR_CRASHED', `the sidecar ${reason}`, details);
      const why = this.options.restart.policy === 'never' ? 'restart policy is "never"' : `${crashes} crashes within ${this.options.restart.windowMs} ms`;
      this.enter({ state: 'failed', error });
      this.emit('failed', { sidecar: this.name, reason: why, crashes });
      this.waiters.rejectAll(this.unavailable(`the sidecar failed (${why}); call restart() to try again`, undefined, error));
      return;
    }
    const delayMs = backoffDelay(this.options.restart, crashes - 1, this.deps.clock.random());
    this.restarts++;
    // Keeps the process alive: calls may be waiting for this restart, and nothing else is
    // pending while no sidecar process runs. Leaving `backoff` any other way clears it.
    const timer = this.deps.clock.setTimeout(() => void this.launch(), delayMs, true);
    this.enter({ state: 'backoff', timer });
    this.emit('restart', { sidecar: this.name, attempt: crashes, delayMs });
  }

  /** The one place a state changes: checks the transition, releases the old phase, announces the new one. */
  private enter(next: Phase): void {
    const from = this.phase;
    if (!TRANSITIONS[from.state].includes(next.state)) throw new Error(`${this.name}: illegal transition ${from.state} → ${next.state}`);
    const kept = 'incarnation' in next ? next.incarnation : undefined;
    if ('incarnation' in from && from.incarnation && from.incarnation !== kept && !from.incarnation.gone) {
      throw new Error(`${this.name}: leaving ${from.state} for ${next.state} with a live incarnation`);
    }
    if (from.state === 'backoff') this.deps.clock.clearTimeout(from.timer);
    this.phase = next;
    this.emit('stateChange', { sidecar: this.name, from: from.state, to: next.state });
  }

  /** Where everything an incarnation observes becomes a supervisor event. */
  private readonly observer: IncarnationOwner = {
    onEvent: (event, data) => {
      // Checked even when nobody listens, so an invalid event is always counted.
      const problem = this.deps.checkEvent?.(event, data);
      if (problem !== undefined) return this.observer.onProtocolError('invalid-event', problem);
      if (this.listening.event) this.emit('event', { sidecar: this.name, event, data });
    },
    onProtocolError: (kind, detail) => {
      this._protocolErrors++;
      this.protocolLog.warn(`protocol error (${kind}): ${detail}`);
      if (this.listening.protocolError) this.emit('protocolError', { sidecar: this.name, kind, detail });
    },
    onComplete: (id, method, durationMs, code) => {
      if (this.listening.request) this.emit('request', { sidecar: this.name, id, method, durationMs, ok: code === undefined, code });
    },
    onTrace: (direction, message) => {
      if (this.listening.trace) this.emit('trace', { sidecar: this.name, direction, message, time: Date.now() });
    },
    onStderr: (line) => {
      this.deps.logger.debug(`stderr: ${line}`, { sidecar: this.name });
      if (this.listening.stderr) this.emit('stderr', { sidecar: this.name, line });
    },
    onExit: (incarnation, info) => this.onExit(incarnation, info),
    onHealthy: () => this.crashes.reset(),
  };

  private emit<K extends keyof SupervisorEvents>(name: K, data: SupervisorEvents[K]): void {
    this.emitter.emit(name, data).catch((e: unknown) => this.deps.logger.error(`a ${name} listener threw`, { error: String(e) }));
  }

  private assertNotDisposed(method: string): void {
    if (this.disposed) throw this.unavailable('the sidecar registry was disposed', method);
  }

  private unavailable(message: string, method?: string, cause?: SidecarError, retryable = false): SidecarError {
    return new SidecarError('SIDECAR_UNAVAILABLE', message, {
      sidecar: this.name,
      method,
      cause,
      retryable,
      stderrTail: cause?.stderrTail,
      exitCode: cause?.exitCode,
      signal: cause?.signal,
    });
  }
}
