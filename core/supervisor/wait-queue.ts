/**
 * Calls waiting for a sidecar to become ready. The queue belongs to the supervisor, not to a
 * process: a call made while the sidecar starts, backs off after a crash or stops may be served
 * by a process that does not exist yet. Each waiter leaves the queue exactly once — served, timed
 * out, cancelled through its `AbortSignal`, or rejected with everyone else — and takes its timer
 * and abort listener with it, so an abandoned wait holds nothing.
 */
import type { IClock, TimerHandle } from '../clock';
import type { SidecarError } from '../errors';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: SidecarError): void;
}

export class WaitQueue<T> {
  private readonly waiters = new Set<Waiter<T>>();

  constructor(private readonly clock: IClock) {}

  /** Number of calls waiting. */
  get size(): number {
    return this.waiters.size;
  }

  /**
   * Waits until `serve` or `rejectAll`. After `waitMs` (Infinity: never) it fails with
   * `timeoutError()`, and when `signal` aborts with `cancelledError()`. The timer keeps the
   * program alive: somebody is waiting for its answer.
   */
  wait(waitMs: number, signal: AbortSignal | undefined, timeoutError: () => SidecarError, cancelledError: () => SidecarError): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const cleanup = () => {
        this.waiters.delete(waiter);
        if (timer !== undefined) this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter<T> = {
        resolve: (value) => {
          cleanup();
          resolve(value);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
      };
      const onAbort = () => waiter.reject(cancelledError());
      signal?.addEventListener('abort', onAbort, { once: true });
      if (Number.isFinite(waitMs)) timer = this.clock.setTimeout(() => waiter.reject(timeoutError()), Math.max(0, waitMs), true);
      this.waiters.add(waiter);
    });
  }

  /** Hands `value` to every waiting call. */
  serve(value: T): void {
    for (const w of [...this.waiters]) w.resolve(value);
  }

  /** Fails every waiting call with `error`. */
  rejectAll(error: SidecarError): void {
    for (const w of [...this.waiters]) w.reject(error);
  }
}
