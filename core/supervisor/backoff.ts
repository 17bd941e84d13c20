/**
 * The arithmetic of restarting: exponential backoff with full jitter (the AWS architecture blog's
 * recommendation, which spreads restarts of many sidecars apart) and a sliding window of crash
 * times that decides when to give up.
 */
import type { RestartPolicy } from './contract';

/** Full-jitter delay for the `attempt`-th consecutive restart (0-based): random × min(cap, base·2^n). */
export function backoffDelay(policy: RestartPolicy, attempt: number, random: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random * ceiling);
}

/** Remembers crash times and answers whether the limit within the window is reached. */
export class CrashWindow {
  private times: number[] = [];

  constructor(private readonly policy: RestartPolicy) {}

  /** Records a crash at `now` and returns how many crashes the window now holds. */
  record(now: number): number {
    this.times.push(now);
    this.times = this.times.filter((t) => now - t < this.policy.windowMs);
    return this.times.length;
  }

  /** True once the window holds `maxCrashes` crashes. */
  exhausted(): boolean {
    return this.times.length >= this.policy.maxCrashes;
  }

  /** Number of crashes currently in the window. */
  get count(): number {
    return this.times.length;
  }

  /** Number of crashes within the window that ends at `now`. */
  countAt(now: number): number {
    return this.times.filter((t) => now - t < this.policy.windowMs).length;
  }

  /** Forgets all crashes (after a healthy run or an explicit restart). */
  reset(): void {
    this.times = [];
  }
}
