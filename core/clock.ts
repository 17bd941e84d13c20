/**
 * Time and chance behind an interface, so the supervisor's timeouts, backoff and health checks can
 * be driven by fake timers in tests and an app can swap the source. The default is the real clock
 * with `Math.random` for backoff jitter.
 */
import type { InjectionToken } from 'tsyringe';

/** Opaque timer handle returned by `setTimeout`. */
export type TimerHandle = unknown;

/** The clock every supervisor and connection uses. */
export interface IClock {
  /** Milliseconds, monotonic enough for durations. */
  now(): number;
  /**
   * Runs `fn` after `ms`. A timer keeps the process alive only with `keepAlive`: background timers
   * (health checks) must not hold an app open, but a timer someone is waiting on (a call queued
   * during a restart's backoff) must, or a short-lived program would exit mid-call.
   */
  setTimeout(fn: () => void, ms: number, keepAlive?: boolean): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** A number in [0, 1): the source of backoff jitter. */
  random(): number;
}

/** DI token for the clock. */
export const ClockToken: InjectionToken<IClock> = Symbol('skaffa.Clock');

/** The real clock. Timers are unref'd unless `keepAlive` is asked for. */
export class SystemClock implements IClock {
  now(): number {
    return performance.now();
  }
  setTimeout(fn: () => void, ms: number, keepAlive = false): TimerHandle {
    const t = setTimeout(fn, ms);
    if (!keepAlive) t.unref?.();
    return t;
  }
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  }
  random(): number {
    return Math.random();
  }
}
