/**
 * The generic supervisor: one per sidecar, whatever the sidecar does. It starts the process on
 * demand, waits for a `$/ping` handshake before serving calls, queues calls made meanwhile,
 * restarts after crashes with jittered backoff until a crash window says stop, kills a sidecar that
 * stops answering pings, and shuts down politely before it shuts down hard. Everything it observes
 * is emitted as a typed event; every failure reaches the caller as a `SidecarError`.
 */
import Emittery from 'emittery';
import type { IClock, TimerHandle } from '../clock';
import { SidecarError } from '../errors';
import { toDisposable, type Disposable, type Listener } from '../events';
import type { ILogger } from '../logger';
import type { ChildHandle, ExitInfo, IProcessSpawner, SpawnRequest } from '../process/contract';
import { BuiltinMethods } from '../protocol';
import { Connection } from '../transport/connection';
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
import { RateLimitedWarning } from './log-limiter';
import { shutdownProcess } from './shutdown';
import { StderrTail } from './stderr-tail';

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

interface Waiter {
  resolve(conn: Connection): void;
  reject(error: SidecarError): void;
}

/** Lines of stderr attached to a crash error (the event carries the full tail). */
const ERROR_TAIL_LINES = 20;

export class Supervisor implements ISupervisor {
  private _state: SidecarState = 'idle';
  private child?: ChildHandle;
  private conn?: Connection;
  private stderr?: StderrTail;
  private starting?: Promise<void>;
  private incarnation = 0;
  private waiters = new Set<Waiter>();
  private readonly crashes: CrashWindow;
  private readonly timers: { backoff?: TimerHandle; ping?: TimerHandle; healthy?: TimerHandle } = {};
  /** Why main killed the current process, if it did (hung, oversized line...). */
  private killReason?: string;
  /** Set when main killed the current process because it closed its stdout while running. */
  private killedForEof = false;
  private stopping = false;
  private stopped?: Promise<void>;
  /** Set from the moment `dispose()` is called: new calls fail at once. */
  private disposed = false;
  private lastFailure?: SidecarError;
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
    this.protocolLog = new RateLimitedWarning('protocol errors', { sidecar: name }, deps.clock, deps.logger);
  }

  get state(): SidecarState {
    return this._state;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get protocolErrors(): number {
    return this._protocolErrors;
  }

  health(): SidecarHealth {
    return {
      name: this.name,
      state: this._state,
      pid: this.child?.pid,
      inFlight: this.conn?.inFlight ?? 0,
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
    if (this.child) await this.stop();
    this.crashes.reset();
    this.lastFailure = undefined;
    if (this._state === 'failed' || this._state === 'stopped') this.setState('idle');
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

  stop(options: StopOptions = {}): Promise<void> {
    // A second stop (dispose during a stop, say) shares the first one's outcome.
    this.stopped ??= this.stopNow(options).finally(() => {
      this.stopped = undefined;
    });
    return this.stopped;
  }

  private async stopNow(options: StopOptions): Promise<void> {
    const deadline = this.deps.clock.now() + (options.deadlineMs ?? Infinity);
    this.clearTimers();
    this.protocolLog.flush();
    if (this._state === 'stopped' && !this.child) return;
    this.stopping = true;
    this.setState('stopping');
    this.rejectWaiters(this.unavailable('the sidecar is stopping'));
    const child = this.child;
    if (child) {
      const conn = this.conn;
      const ask = () => conn?.request(BuiltinMethods.shutdown, {}, { timeoutMs: this.options.shutdownGraceMs }).catch(() => undefined);
      await shutdownProcess({ child, askToExit: ask, graceMs: this.options.shutdownGraceMs, deadline, ...this.deps, sidecar: this.name });
      // Normally the exit handler did this already; after a deadline the exit may still be coming.
      conn?.close((method) => this.unavailable('the sidecar was stopped before it answered', method));
    }
    await this.starting?.catch(() => undefined);
    this.incarnation++;
    this.child = undefined;
    this.conn = undefined;
    this.stopping = false;
    this.setState('stopped');
    // Calls made while stopping were queued: they are served by a fresh process.
    if (this.waiters.size > 0 && !this.disposed) this.launch();
  }

  async dispose(options: StopOptions = {}): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.rejectWaiters(this.unavailable('the sidecar registry was disposed'));
    await this.stop(options);
    this.emitter.clearListeners();
  }

  /** Resolves with a ready connection, starting the sidecar if needed; bounded by `deadline`. */
  private ready(method: string, deadline: number, signal?: AbortSignal, timeoutMs?: number): Promise<Connection> {
    this.assertNotDisposed(method);
    if (this._state === 'ready' && this.conn) return Promise.resolve(this.conn);
    if (this._state === 'failed') {
      throw this.unavailable('the sidecar failed and is not restarted until restart() is called', method, this.lastFailure);
    }
    if (this.waiters.size >= this.options.maxQueuedCalls) {
      throw this.unavailable(`too many calls waiting for the sidecar to start (${this.options.maxQueuedCalls})`, method, undefined, true);
    }
    if (signal?.aborted) {
      throw new SidecarError('CANCELLED', 'the call was cancelled', { sidecar: this.name, method, cause: signal.reason });
    }
    return new Promise<Connection>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const cleanup = () => {
        this.waiters.delete(waiter);
        if (timer !== undefined) this.deps.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        resolve: (c) => {
          cleanup();
          resolve(c);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
      };
      const onAbort = () =>
        waiter.reject(new SidecarError('CANCELLED', 'the call was cancelled', { sidecar: this.name, method, cause: signal?.reason }));
      signal?.addEventListener('abort', onAbort, { once: true });
      const wait = deadline - this.deps.clock.now();
      if (Number.isFinite(wait)) {
        timer = this.deps.clock.setTimeout(
          () =>
            waiter.reject(
              new SidecarError('TIMEOUT', `the sidecar was not ready in time (state: ${this._state})`, {
                sidecar: this.name,
                method,
                data: { timeoutMs: timeoutMs ?? wait },
              }),
            ),
          Math.max(0, wait),
          true,
        );
      }
      this.waiters.add(waiter);
      if (this._state === 'idle' || this._state === 'stopped') this.launch();
    });
  }

  private launch(): void {
    if (this.starting) return;
    this.starting = this.spawnAndHandshake()
      .catch((e: unknown) => {
        this.deps.logger.debug('start attempt failed', { sidecar: this.name, error: String(e) });
      })
      .finally(() => {
        this.starting = undefined;
      });
  }

  private async spawnAndHandshake(): Promise<void> {
    this.setState('starting');
    let request: SpawnRequest;
    try {
      request = await this.launcher();
    } catch (e) {
      // A missing binary is not a crash: stay idle so the next call tries again (e.g. after a build).
      const error = SidecarError.is(e) ? e : new SidecarError('BINARY_NOT_FOUND', String(e), { sidecar: this.name, cause: e });
      this.setState('idle');
      this.rejectWaiters(error);
      throw error;
    }
    if (this.stopping || this.disposed) return;
    const incarnation = ++this.incarnation;
    this.killReason = undefined;
    this.killedForEof = false;
    const child = this.deps.spawner.spawn(request);
    this.child = child;
    this.stderr = new StderrTail(child.stderr, this.options.stderrTailLines, (line) => {
      this.deps.logger.debug(`stderr: ${line}`, { sidecar: this.name });
      if (this.listening.stderr) this.emit('stderr', { sidecar: this.name, line });
    });
    const conn = new Connection(this.name, child.stdout, child.stdin, this.deps.clock, this.connectionHooks(child), this.options.maxLineBytes);
    this.conn = conn;
    void child.exited.then((info) => this.onExit(incarnation, child, info));
    try {
      await child.spawned;
      await conn.request(BuiltinMethods.ping, {}, { timeoutMs: this.options.startTimeoutMs });
    } catch (e) {
      if (this.child === child && !this.stopping) {
        this.killReason ??= `did not complete the start handshake (${(e as Error).message})`;
        child.killTree('SIGKILL');
      }
      throw e;
    }
    if (incarnation !== this.incarnation || this.stopping) return;
    this.setState('ready');
    this.timers.healthy = this.deps.clock.setTimeout(() => this.crashes.reset(), this.options.restart.healthyAfterMs);
    this.schedulePing(incarnation, conn, child);
    for (const w of [...this.waiters]) w.resolve(conn);
  }

  private connectionHooks(child: ChildHandle) {
    const hooks = {
      onEvent: (event: string, data: unknown) => {
        const problem = this.deps.checkEvent?.(event, data);
        if (problem !== undefined) hooks.onProtocolError('invalid-event', problem);
        else if (this.listening.event) this.emit('event', { sidecar: this.name, event, data });
      },
      onProtocolError: (kind: SupervisorEvents['protocolError']['kind'], detail: string) => {
        this._protocolErrors++;
        this.protocolLog.warn(`protocol error (${kind}): ${detail}`);
        if (this.listening.protocolError) this.emit('protocolError', { sidecar: this.name, kind, detail });
        if (kind === 'line-too-long' && this.child === child) {
          this.killReason = `wrote a stdout line over ${this.options.maxLineBytes} bytes; killed`;
          child.killTree('SIGKILL');
        }
      },
      onComplete: (id: string, method: string, durationMs: number, code: string | undefined) => {
        if (this.listening.request) this.emit('request', { sidecar: this.name, id, method, durationMs, ok: code === undefined, code });
      },
      onTrace: (direction: 'send' | 'recv', message: unknown) => {
        if (this.listening.trace) this.emit('trace', { sidecar: this.name, direction, message, time: Date.now() });
      },
      // A live sidecar whose stdout ends can never answer again: treat it as a crash now rather
      // than when a ping or every pending call times out.
      onClose: () => {
        if (this.child !== child || this.stopping) return;
        this.killedForEof = true;
        child.killTree('SIGKILL');
      },
    };
    return hooks;
  }

  private schedulePing(incarnation: number, conn: Connection, child: ChildHandle): void {
    if (this.options.pingIntervalMs <= 0) return;
    this.timers.ping = this.deps.clock.setTimeout(() => {
      if (incarnation !== this.incarnation || this._state !== 'ready') return;
      conn.request(BuiltinMethods.ping, {}, { timeoutMs: this.options.pingTimeoutMs }).then(
        () => this.schedulePing(incarnation, conn, child),
        (e: unknown) => {
          if (incarnation !== this.incarnation) return;
          if (SidecarError.is(e, 'TIMEOUT')) {
            this.killReason = `stopped answering $/ping for ${this.options.pingTimeoutMs} ms (hung); killed`;
            child.killTree('SIGKILL');
            return;
          }
          // An error answer is still an answer: the sidecar is alive, so keep checking it.
          this.deps.logger.warn(`$/ping was answered with an error (${(e as Error).message})`, { sidecar: this.name });
          this.schedulePing(incarnation, conn, child);
        },
      );
    }, this.options.pingIntervalMs);
  }

  private onExit(incarnation: number, child: ChildHandle, info: ExitInfo): void {
    if (incarnation !== this.incarnation) return;
    this.clearTimers();
    const expected = this.stopping;
    const tail = this.stderr?.last() ?? [];
    // Killed for closing stdout only if the SIGKILL is what ended it (it may have exited by itself).
    const eof = this.killedForEof && info.signal === 'SIGKILL' ? 'closed its stdout while running; killed' : undefined;
    const reason = this.killReason ?? eof ?? describeExit(info);
    this.lastExit = { code: info.code, signal: info.signal, reason: expected ? 'was stopped' : reason, expected, at: Date.now() };
    const details = { sidecar: this.name, exitCode: info.code, signal: info.signal, stderrTail: tail.slice(-ERROR_TAIL_LINES) };
    this.conn?.close((method) =>
      expected
        ? this.unavailable('the sidecar was stopped before it answered', method)
        : new SidecarError('SIDECAR_CRASHED', `the sidecar ${reason}`, { ...details, method }),
    );
    this.conn = undefined;
    this.child = undefined;
    if (!expected) child.killTree('SIGKILL');
    if (expected || this.disposed) return;

    this.emit('crash', { sidecar: this.name, pid: child.pid, exitCode: info.code, signal: info.signal, reason, stderrTail: tail });
    this.deps.logger.warn(`sidecar ${reason}`, { sidecar: this.name, stderrTail: tail.slice(-5) });
    const crashes = this.crashes.record(this.deps.clock.now());
    if (this.options.restart.policy === 'never' || this.crashes.exhausted()) {
      this.lastFailure = new SidecarError('SIDECAR_CRASHED', `the sidecar ${reason}`, details);
      const why = this.options.restart.policy === 'never' ? 'restart policy is "never"' : `${crashes} crashes within ${this.options.restart.windowMs} ms`;
      this.setState('failed');
      this.emit('failed', { sidecar: this.name, reason: why, crashes });
      this.rejectWaiters(this.unavailable(`the sidecar failed (${why}); call restart() to try again`, undefined, this.lastFailure));
      return;
    }
    const delayMs = backoffDelay(this.options.restart, crashes - 1, this.deps.clock.random());
    this.restarts++;
    this.setState('backoff');
    this.emit('restart', { sidecar: this.name, attempt: crashes, delayMs });
    // Keeps the process alive: calls may be waiting for this restart, and nothing else is
    // pending while no sidecar process runs.
    this.timers.backoff = this.deps.clock.setTimeout(
      () => {
        this.timers.backoff = undefined;
        if (this._state === 'backoff') this.launch();
      },
      delayMs,
      true,
    );
  }

  private clearTimers(): void {
    for (const key of ['backoff', 'ping', 'healthy'] as const) {
      const t = this.timers[key];
      if (t !== undefined) this.deps.clock.clearTimeout(t);
      this.timers[key] = undefined;
    }
  }

  private rejectWaiters(error: SidecarError): void {
    for (const w of [...this.waiters]) w.reject(error);
  }

  private setState(to: SidecarState): void {
    const from = this._state;
    if (from === to) return;
    this._state = to;
    this.emit('stateChange', { sidecar: this.name, from, to });
  }

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

function describeExit(info: ExitInfo): string {
  if (info.signal) return `was killed by ${info.signal}`;
  if (info.spawnError) return `could not be started (${info.spawnError.message})`;
  if (info.code === null) return 'exited';
  return `exited unexpectedly with code ${info.code}`;
}
