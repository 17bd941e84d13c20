/**
 * One incarnation of a sidecar: one start attempt and the process it produces, with everything
 * that lives and dies with that process — the child handle, the connection over its pipes (and
 * so the calls in flight on it), the tail of its stderr, its health-check timers, and why main
 * killed it if it did.
 *
 * The supervisor creates an incarnation each time it decides to start the sidecar (before asking
 * the launcher for a command line, so that a stop during that wait has something to cancel) and
 * disposes of it as a whole when its process has exited or the attempt is abandoned; nothing of
 * it is reused. Every lifecycle callback of a process (its exit, its stdout closing, a ping
 * answer, a timer) goes through its own incarnation, and a disposed incarnation ignores them, so
 * a late callback of an old process cannot touch the next one without any generation counter.
 * Observations (stderr lines, trace and request records, sidecar events) are still forwarded
 * after disposal: they describe what that process did and the connection stops reading by then.
 *
 * Policy stays with the supervisor: an incarnation does not know about restarts or queued calls;
 * it only reports its exit and lets the owner decide what the exit means.
 */
import type { IClock, TimerHandle } from '../clock';
import { SidecarError } from '../errors';
import type { ILogger } from '../logger';
import type { ChildHandle, ExitInfo, IProcessSpawner, SpawnRequest } from '../process/contract';
import { BuiltinMethods } from '../protocol';
import { Connection, type ConnectionHooks } from '../transport/connection';
import type { SupervisorOptions } from './contract';
import { shutdownProcess } from './shutdown';
import { StderrTail } from './stderr-tail';

/** What an incarnation needs from the supervisor's dependencies. */
export interface IncarnationDeps {
  spawner: IProcessSpawner;
  clock: IClock;
  logger: ILogger;
}

/** How an incarnation reports to its owner. Connection observations are passed through as they come. */
export interface IncarnationOwner extends Required<Omit<ConnectionHooks, 'onClose'>> {
  /** A line the process wrote to stderr. */
  onStderr(line: string): void;
  /** The process exited. Called at most once, and never after the incarnation was disposed. */
  onExit(incarnation: Incarnation, info: ExitInfo): void;
  /** The process stayed ready for `restart.healthyAfterMs`. */
  onHealthy(): void;
}

/** The running parts, which exist once the process is spawned. */
interface Running {
  child: ChildHandle;
  conn: Connection;
  stderr: StderrTail;
}

export class Incarnation {
  private running?: Running;
  /**
   * `live` until `shutdown()` begins (then stdout closing or a failed handshake is the expected
   * end, not a fault to act on), and `gone` once disposed, when every callback is ignored.
   */
  private status: 'live' | 'shutting-down' | 'gone' = 'live';
  /** Why main killed this process; the first reason given is the one reported. */
  private killReason?: string;
  /** Main killed the process because it closed its stdout while running (a weaker reason, see `exitReason`). */
  private killedForEof = false;
  private readonly timers: { ping?: TimerHandle; healthy?: TimerHandle; eof?: TimerHandle } = {};

  constructor(
    private readonly sidecar: string,
    private readonly options: SupervisorOptions,
    private readonly deps: IncarnationDeps,
    private readonly owner: IncarnationOwner,
  ) {}

  /** True once disposed: the process is gone (or was never started) and nothing of it is used again. */
  get gone(): boolean {
    return this.status === 'gone';
  }

  /** True once a process was spawned for this incarnation (even if it has exited since). */
  get spawned(): boolean {
    return this.running !== undefined;
  }

  get pid(): number | undefined {
    return this.gone ? undefined : this.running?.child.pid;
  }

  /** Requests sent on this process's connection and not answered yet. */
  get inFlight(): number {
    return this.running?.conn.inFlight ?? 0;
  }

  /** The connection of a spawned process (the supervisor only asks once it is ready). */
  get conn(): Connection {
    if (!this.running) throw new Error(`the ${this.sidecar} incarnation has no process`);
    return this.running.conn;
  }

  /**
   * Spawns the process and completes the `$/ping` handshake. If either fails the process is killed
   * (unless it is being shut down anyway) and this rejects; the exit that follows reaches the owner.
   */
  async start(request: SpawnRequest): Promise<Connection> {
    const child = this.deps.spawner.spawn(request);
    const stderr = new StderrTail(child.stderr, this.options.stderrTailLines, (line) => this.owner.onStderr(line));
    const conn = new Connection(this.sidecar, child.stdout, child.stdin, this.deps.clock, this.connectionHooks(), this.options.maxLineBytes);
    this.running = { child, conn, stderr };
    void child.exited.then((info) => {
      if (!this.gone) this.owner.onExit(this, info);
    });
    try {
      await child.spawned;
      await conn.request(BuiltinMethods.ping, {}, { timeoutMs: this.options.startTimeoutMs });
    } catch (e) {
      if (this.status === 'live') this.kill(`did not complete the start handshake (${(e as Error).message})`);
      throw e;
    }
    return conn;
  }

  /** Starts the checks of a ready process: a `$/ping` every interval (a hang kills it) and the healthy-run timer. */
  watch(): void {
    if (this.status !== 'live') return;
    this.timers.healthy = this.deps.clock.setTimeout(() => this.owner.onHealthy(), this.options.restart.healthyAfterMs);
    this.schedulePing();
  }

  /** SIGKILLs the process tree; `reason` is what the crash report will say. */
  kill(reason: string): void {
    if (!this.running || this.gone) return;
    this.killReason ??= reason;
    this.running.child.killTree('SIGKILL');
  }

  /** What main makes of the exit: the reason it killed the process, or what the exit itself says. */
  exitReason(info: ExitInfo): string {
    // Killed for closing stdout only if the SIGKILL is what ended it (it may have exited by itself).
    const eof = this.killedForEof && info.signal === 'SIGKILL' ? 'closed its stdout while running; killed' : undefined;
    return this.killReason ?? eof ?? describeExit(info);
  }

  /** The last stderr lines, oldest first. */
  stderrTail(): string[] {
    return this.running?.stderr.last() ?? [];
  }

  /**
   * The polite-then-forceful stop of this process (`$/shutdown`, SIGTERM, SIGKILL; see
   * shutdown.ts). Health checks end at once. Resolves when the process exited or the deadline
   * forced a SIGKILL; the owner disposes of the incarnation afterwards.
   */
  async shutdown(deadline: number): Promise<void> {
    if (this.status !== 'live') return;
    this.status = 'shutting-down';
    this.clearTimers();
    const running = this.running;
    if (!running) return;
    const { child, conn } = running;
    const { shutdownGraceMs: graceMs } = this.options;
    const askToExit = () => conn.request(BuiltinMethods.shutdown, {}, { timeoutMs: graceMs }).catch(() => undefined);
    await shutdownProcess({ child, askToExit, graceMs, deadline, ...this.deps, sidecar: this.sidecar });
  }

  /**
   * Ends the incarnation: pending calls reject with `makeError(method)`, timers stop, anything the
   * process started is killed, and from now on its callbacks are ignored. Safe to call twice.
   */
  dispose(makeError: (method: string) => SidecarError): void {
    if (this.gone) return;
    this.status = 'gone';
    this.clearTimers();
    if (!this.running) return;
    this.running.conn.close(makeError);
    // The process has exited or was told to; whatever it left behind must not outlive it.
    this.running.child.killTree('SIGKILL');
  }

  private connectionHooks(): ConnectionHooks {
    const { owner } = this;
    return {
      onEvent: (event, data) => owner.onEvent(event, data),
      onProtocolError: (kind, detail) => {
        owner.onProtocolError(kind, detail);
        if (kind === 'line-too-long') this.kill(`wrote a stdout line over ${this.options.maxLineBytes} bytes; killed`);
      },
      onComplete: (id, method, durationMs, code) => owner.onComplete(id, method, durationMs, code),
      onTrace: (direction, message) => owner.onTrace(direction, message),
      // A live sidecar whose stdout ends can never answer again: treat it as a crash now rather
      // than when a ping or every pending call times out.
      // The process main started may outlive the stdout by a moment without any fault: the reaper
      // (docs/containment.md) takes the sidecar's tree down before it exits with the sidecar's
      // status. It gets that moment, so the exit it reports is the sidecar's, not our SIGKILL.
      onClose: () => {
        if (this.status !== 'live' || !this.running || this.timers.eof !== undefined) return;
        this.timers.eof = this.deps.clock.setTimeout(() => {
          if (this.status !== 'live' || !this.running) return;
          this.killedForEof = true;
          this.running.child.killTree('SIGKILL');
        }, EOF_EXIT_GRACE_MS);
      },
    };
  }

  private schedulePing(): void {
    if (this.options.pingIntervalMs <= 0) return;
    this.timers.ping = this.deps.clock.setTimeout(() => {
      this.timers.ping = undefined;
      this.conn.request(BuiltinMethods.ping, {}, { timeoutMs: this.options.pingTimeoutMs }).then(
        () => this.status === 'live' && this.schedulePing(),
        (e: unknown) => {
          if (this.status !== 'live') return;
          if (SidecarError.is(e, 'TIMEOUT')) {
            this.kill(`stopped answering $/ping for ${this.options.pingTimeoutMs} ms (hung); killed`);
            return;
          }
          // An error answer is still an answer: the sidecar is alive, so keep checking it.
          this.deps.logger.warn(`$/ping was answered with an error (${(e as Error).message})`, { sidecar: this.sidecar });
          this.schedulePing();
        },
      );
    }, this.options.pingIntervalMs);
  }

  private clearTimers(): void {
    for (const key of ['ping', 'healthy', 'eof'] as const) {
      const t = this.timers[key];
      if (t !== undefined) this.deps.clock.clearTimeout(t);
      this.timers[key] = undefined;
    }
  }
}

/** How long a process whose stdout ended may take to exit by itself before main SIGKILLs it. */
const EOF_EXIT_GRACE_MS = 500;

function describeExit(info: ExitInfo): string {
  if (info.signal) return `was killed by ${info.signal}`;
  if (info.spawnError) return `could not be started (${info.spawnError.message})`;
  if (info.code === null) return 'exited';
  return `exited unexpectedly with code ${info.code}`;
}
