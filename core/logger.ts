/**
 * The framework's logging seam. Libraries should not print on their own, so everything the
 * registry and supervisors have to say goes through an `ILogger` resolved from the container; the
 * default writes warnings and errors to stderr, and an app plugs in its own logger instead.
 */
import type { InjectionToken } from 'tsyringe';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured logger: a message plus optional fields. */
export interface ILogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** DI token for the logger. */
export const LoggerToken: InjectionToken<ILogger> = Symbol('skaffa.Logger');

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Writes lines at or above `level` to stderr as `[skaffa] level message {fields}`. */
export class ConsoleLogger implements ILogger {
  constructor(private readonly level: LogLevel = 'warn') {}
  debug(m: string, f?: Record<string, unknown>): void {
    this.write('debug', m, f);
  }
  info(m: string, f?: Record<string, unknown>): void {
    this.write('info', m, f);
  }
  warn(m: string, f?: Record<string, unknown>): void {
    this.write('warn', m, f);
  }
  error(m: string, f?: Record<string, unknown>): void {
    this.write('error', m, f);
  }
  private write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const extra = fields ? ` ${JSON.stringify(fields)}` : '';
    process.stderr.write(`[skaffa] ${level} ${message}${extra}\n`);
  }
}

/** Discards everything; handy in tests that assert on events instead of logs. */
export class NullLogger implements ILogger {
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
}
