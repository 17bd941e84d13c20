/**
 * Rate limiting for warnings a sidecar can trigger at will. A sidecar that writes 10,000 garbage
 * lines must not produce 10,000 log lines in main: the first few in each window are logged, the
 * rest are only counted, and one summary line says how many were left out. Counters and events
 * still see every occurrence; only the log is thinned.
 */
import type { IClock, TimerHandle } from '../clock';
import type { ILogger } from '../logger';

/** At most `burst` warnings per `windowMs`; the rest are summarised once the window ends. */
export class RateLimitedWarning {
  private windowStart = -Infinity;
  private logged = 0;
  private suppressed = 0;
  private timer?: TimerHandle;

  constructor(
    private readonly what: string,
    private readonly fields: Record<string, unknown>,
    private readonly clock: IClock,
    private readonly logger: ILogger,
    private readonly burst = 10,
    private readonly windowMs = 10_000,
  ) {}

  /** Logs `message` as a warning unless this window's allowance is used up. */
  warn(message: string): void {
    const now = this.clock.now();
    if (now - this.windowStart >= this.windowMs) {
      this.summarise();
      this.windowStart = now;
      this.logged = 0;
    }
    if (this.logged < this.burst) {
      this.logged++;
      this.logger.warn(message, this.fields);
      return;
    }
    this.suppressed++;
    // A background timer (never keeps the process alive) writes the summary when the window ends.
    this.timer ??= this.clock.setTimeout(() => {
      this.timer = undefined;
      this.summarise();
    }, this.windowStart + this.windowMs - now);
  }

  /** Writes the pending summary, if any, and cancels its timer (on stop and dispose). */
  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.summarise();
  }

  private summarise(): void {
    if (this.suppressed === 0) return;
    this.logger.warn(`${this.suppressed} more ${this.what} within ${this.windowMs} ms were not logged`, { ...this.fields, suppressed: this.suppressed });
    this.suppressed = 0;
  }
}
