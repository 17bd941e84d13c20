/**
 * One run of the sidecar under test, started as main starts it (no shell, three pipes, its own
 * process group on POSIX), with everything it writes to stdout recorded line by line and
 * classified by the protocol's message shapes. Checks send raw lines and wait for the answer to
 * an id; the verdicts are computed from the full record once stdout has closed, so an answer
 * that comes late (a second answer to a cancelled request) is still seen.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ProcessWatcher } from './process-table';

/** One message the sidecar wrote, in arrival order. */
export interface Seen {
  /** Position among every stdout line of this run. */
  index: number;
  kind: 'final' | 'partial';
  msg: Record<string, unknown>;
  /** A partial line that also carries `result` (invalid). */
  mixed?: boolean;
}

/** How the process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ms since the checker closed stdin (undefined when it exited before that). */
  afterEofMs?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export class Wire {
  readonly child: ChildProcess;
  readonly watcher: ProcessWatcher | undefined;
  /** Lines that are not protocol messages, as written (shortened). */
  readonly strays: string[] = [];
  /** Finals and partials by string id. */
  readonly byId = new Map<string, Seen[]>();
  /** Error answers with id null, in order. */
  readonly nullErrors: Seen[] = [];
  /** Ids of the requests this run sent, with whether each asked to stream. */
  readonly sent = new Map<string, { method: string; stream: boolean }>();
  exit: Exit | undefined;
  /** Set when the command could not be started at all (ENOENT, EACCES...). */
  spawnError: Error | undefined;
  readonly exited: Promise<Exit>;
  /** Resolves when stdout has ended (or shortly after exit, if a leftover process holds it open). */
  readonly drained: Promise<void>;
  private lines = 0;
  private eofAt: number | undefined;
  private nextId = 0;
  private readonly wake = new Set<() => void>();

  constructor(command: string[], options: { cwd?: string; env?: Record<string, string | undefined>; onStderr?: (line: string) => void }) {
    this.child = spawn(command[0], command.slice(1), {
      cwd: options.cwd,
      env: (options.env ?? process.env) as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
      shell: false,
    });
    this.child.stdin!.on('error', () => undefined); // EPIPE once it has exited: judged by the checks
    this.watcher = this.child.pid === undefined ? undefined : new ProcessWatcher(this.child.pid);
    this.watcher?.start();
    this.exited = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        this.exit = { code, signal, afterEofMs: this.eofAt === undefined ? undefined : Date.now() - this.eofAt };
        this.watcher?.stop();
        this.notify();
        resolve(this.exit);
      };
      this.child.once('exit', done);
      this.child.once('error', (e) => {
        this.spawnError = e;
        done(null, null);
      });
    });
    let stdoutEnded: () => void = () => undefined;
    const ended = new Promise<void>((r) => (stdoutEnded = r));
    this.drained = Promise.race([ended, this.exited.then(() => new Promise<void>((r) => setTimeout(r, 250).unref()))]);
    let pending = '';
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (text: string) => {
      pending += text;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
        this.onLine(pending.slice(0, nl).replace(/\r$/, ''));
        pending = pending.slice(nl + 1);
      }
    });
    this.child.stdout!.on('end', () => {
      if (pending !== '') this.strays.push(`${short(pending)} (no newline at the end)`);
      stdoutEnded();
    });
    let err = '';
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (text: string) => {
      err += text;
      const parts = err.split('\n');
      err = parts.pop()!;
      for (const line of parts) options.onStderr?.(line);
    });
  }

  private onLine(line: string): void {
    const index = this.lines++;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return void this.strays.push(short(line));
    }
    if (!isObject(msg)) return void this.strays.push(short(line));
    const id = msg.id;
    if (typeof msg.event === 'string' && id === undefined) return;
    if ((typeof id === 'string' || id === null) && 'partial' in msg && msg.ok === true && typeof id === 'string') {
      this.record(id, { index, kind: 'partial', msg, mixed: 'result' in msg });
    } else if ((typeof id === 'string' || id === null) && isFinal(msg)) {
      if (id === null) this.nullErrors.push({ index, kind: 'final', msg });
      else this.record(id, { index, kind: 'final', msg });
    } else {
      this.strays.push(short(line));
    }
    this.notify();
  }

  private record(id: string, seen: Seen): void {
    const list = this.byId.get(id);
    if (list) list.push(seen);
    else this.byId.set(id, [seen]);
  }

  private notify(): void {
    for (const w of [...this.wake]) w();
  }

  /** A fresh request id. */
  id(label: string): string {
    return `conformance-${label}-${++this.nextId}`;
  }

  /** Writes raw text (whole lines) to stdin, waiting for room. */
  write(text: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.exit || this.child.stdin!.destroyed) return resolve();
      this.child.stdin!.write(text, () => resolve());
    });
  }

  /** Serializes a request line (noting its id) without sending it. */
  line(id: string, method: string, params: unknown = {}, stream = false): string {
    this.sent.set(id, { method, stream });
    return `${JSON.stringify(stream ? { id, method, params, stream: true } : { id, method, params })}\n`;
  }

  /** Sends one request and waits for its final answer (undefined: none within `timeoutMs`). */
  async call(method: string, params: unknown, timeoutMs: number, label = 'call'): Promise<Seen | undefined> {
    const id = this.id(label);
    await this.write(this.line(id, method, params));
    return this.final(id, timeoutMs);
  }

  /** Waits for the first final answer to `id`. */
  final(id: string, timeoutMs: number): Promise<Seen | undefined> {
    return this.until(() => this.byId.get(id)?.find((s) => s.kind === 'final'), timeoutMs);
  }

  /** Waits for the `n`th (0-based) error answer with id null. */
  nullError(n: number, timeoutMs: number): Promise<Seen | undefined> {
    return this.until(() => this.nullErrors[n], timeoutMs);
  }

  /** Resolves with `check()` once it is defined, or undefined after `timeoutMs` or when the process has exited. */
  until<T>(check: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const done = (v: T | undefined) => {
        clearTimeout(timer);
        this.wake.delete(poke);
        resolve(v);
      };
      const poke = () => {
        const v = check();
        if (v !== undefined || this.exit) done(v);
      };
      const timer = setTimeout(() => done(check()), timeoutMs);
      this.wake.add(poke);
      poke();
    });
  }

  /** Closes stdin (what main's death looks like to a sidecar). */
  async endInput(): Promise<void> {
    await this.watcher?.poll(); // the last look at the tree before it may exit
    this.eofAt = Date.now();
    this.child.stdin!.end();
  }

  /** Waits up to `ms` for the exit; undefined when it still runs. */
  async exitWithin(ms: number): Promise<Exit | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the sidecar and whatever it left, then waits for its stdout to end. */
  async dispose(): Promise<void> {
    this.watcher?.stop();
    await this.watcher?.killAll();
    if (!this.exit) this.child.kill('SIGKILL');
    await this.exited;
    await this.drained;
  }
}

/** True for `{ok: true, result}` and `{ok: false, error: {code: string, message: string}}` (no `partial`). */
function isFinal(msg: Record<string, unknown>): boolean {
  if ('partial' in msg) return false;
  if (msg.ok === true) return 'result' in msg;
  const e = msg.error;
  return msg.ok === false && isObject(e) && typeof e.code === 'string' && typeof e.message === 'string';
}

/** A line shortened for a report. */
export function short(text: string, max = 80): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** The error code of a final answer, or undefined for a result. */
export function codeOf(seen: Seen | undefined): string | undefined {
  const e = seen?.msg.error;
  return isObject(e) && typeof e.code === 'string' ? e.code : undefined;
}
