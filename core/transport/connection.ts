/**
 * One conversation with one running sidecar process: it numbers requests, matches responses (and
 * the partial answers of streamed requests) to them, enforces each request's timeout, turns an
 * `AbortSignal` into `$/cancel`, and routes events and protocol violations to its owner. It knows nothing about processes or restarts; when the
 * process goes away the supervisor calls `close()` with the error every pending call should get.
 */
import type { Readable, Writable } from 'node:stream';
import type { IClock, TimerHandle } from '../clock';
import { SidecarError } from '../errors';
import { BuiltinMethods, classifyIncoming, isMainSideCode, type PartialMessage, type ResponseMessage, type WireError } from '../protocol';
import { DEFAULT_MAX_LINE_BYTES, readMessages } from './reader';
import { MessageWriter } from './writer';

/** What kind of rule a sidecar broke on stdout. A connection reports the first four; the supervisor
 * reports `invalid-event`, an event its manifest's schemas reject (see `SupervisorDeps.checkEvent`). */
export type ProtocolErrorKind = 'parse' | 'invalid' | 'unknown-id' | 'line-too-long' | 'invalid-event';

/** Callbacks through which a connection reports to its owner. All are called synchronously. */
export interface ConnectionHooks {
  onEvent?(event: string, data: unknown): void;
  onProtocolError?(kind: ProtocolErrorKind, detail: string): void;
  /** Called once per request when it settles, if set (used for per-request metrics). Positional
   * arguments, so that nothing is allocated per request unless the owner wants a record. */
  onComplete?(id: string, method: string, durationMs: number, code: string | undefined): void;
  /** Sees every message in both directions (for `--trace`). */
  onTrace?(direction: 'send' | 'recv', message: unknown): void;
  /** stdout closed (usually because the process exited). */
  onClose?(): void;
}

/** Per-call options. */
export interface RequestOptions {
  /** Milliseconds until the call rejects with TIMEOUT and `$/cancel` is sent. Infinity = none. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** The timeout the caller asked for, reported in TIMEOUT errors when `timeoutMs` is what
   * remains of it after waiting for the sidecar to start. */
  requestedTimeoutMs?: number;
  /**
   * Set to stream: the request goes out with `"stream": true` and every partial answer is handed
   * here, in arrival order, before the final response settles the call. If it throws (a chunk
   * that breaks its schema, say), the call is abandoned with what it threw and `$/cancel` is sent.
   * Partials do not extend `timeoutMs`: it bounds the whole call.
   */
  onPartial?: (chunk: unknown) => void;
}

interface Pending {
  method: string;
  started: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer?: TimerHandle;
  signal?: AbortSignal;
  onAbort?: () => void;
  onPartial?: (chunk: unknown) => void;
}

/** Ids of abandoned (timed-out/cancelled) requests and of the `$/cancel`s sent for them are
 * remembered, so that their late answers are recognised instead of being reported as unknown ids.
 * Each is forgotten when its answer arrives or after this long, whichever comes first. */
export const ABANDONED_TTL_MS = 5 * 60_000;
/** Memory for abandoned ids grows with the traffic: this many, plus two per request in flight at
 * the busiest moment so far (a request and its `$/cancel`), so that a burst of timeouts never
 * pushes out ids whose answers are still coming. */
const ABANDONED_BASE = 4096;

/** A request/response connection over a pair of streams. */
export class Connection {
  private readonly writer: MessageWriter;
  private readonly pending = new Map<string, Pending>();
  /** Abandoned id → when it was abandoned (insertion order is age order). */
  private readonly abandoned = new Map<string, number>();
  private peakInFlight = 0;
  private readonly detach: () => void;
  private seq = 0;
  private closedWith?: (method: string) => SidecarError;

  constructor(
    readonly sidecar: string,
    input: Readable,
    output: Writable,
    private readonly clock: IClock,
    private readonly hooks: ConnectionHooks = {},
    maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {
    this.writer = new MessageWriter(output);
    this.detach = readMessages(
      input,
      {
        onValue: (value) => this.onValue(value),
        onParseError: (line, e) => hooks.onProtocolError?.('parse', `not JSON (${e.message}): ${line}`),
        onLineTooLong: (bytes) => hooks.onProtocolError?.('line-too-long', `line over ${maxLineBytes} bytes (${bytes} so far)`),
        onClose: () => hooks.onClose?.(),
      },
      maxLineBytes,
    );
  }

  /** Number of requests waiting for an answer. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a request and resolves with its result, or rejects with a SidecarError. */
  request(method: string, params: Record<string, unknown>, options: RequestOptions): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith(method));
    const id = String(++this.seq);
    return new Promise((resolve, reject) => {
      const p: Pending = { method, started: this.clock.now(), resolve, reject, onPartial: options.onPartial };
      const { signal, timeoutMs } = options;
      if (signal) {
        if (signal.aborted) {
          reject(this.cancelledError(method, signal));
          return;
        }
        p.signal = signal;
        p.onAbort = () => this.abandon(id, this.cancelledError(method, signal));
        signal.addEventListener('abort', p.onAbort, { once: true });
      }
      if (Number.isFinite(timeoutMs)) {
        p.timer = this.clock.setTimeout(
          () =>
            this.abandon(id, this.timeoutError(method, options.requestedTimeoutMs ?? timeoutMs)),
          Math.max(0, timeoutMs),
        );
      }
      this.pending.set(id, p);
      if (this.pending.size > this.peakInFlight) this.peakInFlight = this.pending.size;
      this.send(p.onPartial ? { id, method, params, stream: true } : { id, method, params });
    });
  }

  /** Rejects every pending request with `makeError(method)` and refuses new ones. */
  close(makeError: (method: string) => SidecarError): void {
    if (this.closedWith) return;
    this.closedWith = makeError;
    this.detach();
    this.writer.end();
    const all = [...this.pending.values()];
    this.pending.clear();
    this.abandoned.clear();
    for (const p of all) this.settle(p, undefined, makeError(p.method), '');
  }

  private send(message: unknown): void {
    this.hooks.onTrace?.('send', message);
    this.writer.write(message);
  }

  /** Rejects a request locally and asks the sidecar to stop working on it. */
  private abandon(id: string, error: SidecarError): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.remember(id);
    this.settle(p, undefined, error, id);
    if (!this.closedWith) {
      const cancelId = String(++this.seq);
      this.remember(cancelId);
      this.send({ id: cancelId, method: BuiltinMethods.cancel, params: { id } });
    }
  }

  private remember(id: string): void {
    const now = this.clock.now();
    const capacity = ABANDONED_BASE + 2 * this.peakInFlight;
    for (const [old, at] of this.abandoned) {
      if (now - at < ABANDONED_TTL_MS && this.abandoned.size < capacity) break;
      this.abandoned.delete(old);
    }
    this.abandoned.set(id, now);
  }

  private onValue(value: unknown): void {
    this.hooks.onTrace?.('recv', value);
    const msg = classifyIncoming(value);
    if (msg.kind === 'event') {
      this.hooks.onEvent?.(msg.message.event, msg.message.data);
      return;
    }
    if (msg.kind === 'invalid') {
      this.hooks.onProtocolError?.('invalid', msg.reason);
      return;
    }
    if (msg.kind === 'partial') {
      this.onPartialMessage(msg.message);
      return;
    }
    this.onResponse(msg.message);
  }

  /**
   * A chunk of a streamed request. Chunks for an abandoned id are expected (the sidecar had not
   * seen the `$/cancel` yet) and dropped without forgetting the id, whose final answer is still to
   * come; a chunk for a request that did not ask to stream, or for an id never used, is a
   * protocol error.
   */
  private onPartialMessage(msg: PartialMessage): void {
    const p = this.pending.get(msg.id);
    if (!p) {
      if (this.abandoned.has(msg.id)) return;
      this.hooks.onProtocolError?.('unknown-id', `partial answer for unknown id ${JSON.stringify(msg.id)}`);
      return;
    }
    if (!p.onPartial) {
      this.hooks.onProtocolError?.('invalid', `partial answer for ${p.method} (id ${JSON.stringify(msg.id)}), which did not ask to stream`);
      return;
    }
    try {
      p.onPartial(msg.partial);
    } catch (e) {
      const error = SidecarError.is(e) ? e : new SidecarError('INTERNAL', `the partial-answer handler threw: ${String(e)}`, { sidecar: this.sidecar, method: p.method, cause: e });
      this.abandon(msg.id, error);
    }
  }

  private onResponse(res: ResponseMessage): void {
    const id = res.id;
    const p = id === null ? undefined : this.pending.get(id);
    if (!p || id === null) {
      if (id !== null && this.abandoned.delete(id)) return;
      const why = res.ok ? 'ok' : `${res.error.code}: ${res.error.message}`;
      this.hooks.onProtocolError?.('unknown-id', `response for unknown id ${JSON.stringify(id)} (${why})`);
      return;
    }
    this.pending.delete(id);
    if (res.ok) {
      this.settle(p, res.result, undefined, id);
    } else {
      const e = res.error;
      this.settle(p, undefined, this.fromWire(e, p.method), id);
    }
  }

  /**
   * The error a sidecar answered with. Codes only main may produce (`SIDECAR_CRASHED`, `TIMEOUT`,
   * `REMOTE_UNREACHABLE`..., the list in error-codes.ts) decide retries, restarts and advice, so a sidecar must not be able to claim
   * them: such an answer becomes `INTERNAL` (not retryable), keeping the claimed code in
   * `data.claimedCode`, and is reported as a protocol error.
   */
  private fromWire(e: WireError, method: string): SidecarError {
    if (!isMainSideCode(e.code)) return new SidecarError(e.code, e.message, { sidecar: this.sidecar, method, data: e.data });
    this.hooks.onProtocolError?.('invalid', `answered ${method} with ${e.code}, a code only main may produce; reported as INTERNAL`);
    return new SidecarError('INTERNAL', `the sidecar answered with ${e.code}, which only main may report: ${e.message}`, {
      sidecar: this.sidecar,
      method,
      data: { claimedCode: e.code, data: e.data },
    });
  }

  private settle(p: Pending, result: unknown, error: SidecarError | undefined, id: string): void {
    if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
    if (p.signal && p.onAbort) p.signal.removeEventListener('abort', p.onAbort);
    this.hooks.onComplete?.(id, p.method, this.clock.now() - p.started, error?.code);
    if (error) p.reject(error);
    else p.resolve(result);
  }

  private timeoutError(method: string, timeoutMs: number): SidecarError {
    return new SidecarError('TIMEOUT', `no answer within ${timeoutMs} ms`, { sidecar: this.sidecar, method, data: { timeoutMs } });
  }

  private cancelledError(method: string, signal: AbortSignal): SidecarError {
    return new SidecarError('CANCELLED', 'the call was cancelled', { sidecar: this.sidecar, method, cause: signal.reason });
  }
}
