/**
 * The single error type a caller of any sidecar sees. Whatever went wrong (bad params, a crash, a
 * timeout, a missing binary), it arrives as a `SidecarError` with a string `code`, whether trying
 * again could help (`retryable`), which sidecar and method were involved, the underlying cause and,
 * after a crash, the last lines the sidecar wrote to stderr, so an app can show an actionable
 * message without parsing strings.
 */
import type { KnownErrorCode } from './protocol';

/** Codes that describe a transient condition: the same call may succeed later. */
const RETRYABLE: ReadonlySet<string> = new Set(['TIMEOUT', 'SIDECAR_CRASHED']);

/** Everything a `SidecarError` can carry besides its code and message. */
export interface SidecarErrorDetails {
  sidecar?: string;
  method?: string;
  /** Overrides the default retryability of the code. */
  retryable?: boolean;
  cause?: unknown;
  /** The sidecar's `error.data`, or structured details from main (candidates tried, ajv errors...). */
  data?: unknown;
  /** Last stderr lines of the sidecar, oldest first (set on crashes). */
  stderrTail?: string[];
  exitCode?: number | null;
  signal?: string | null;
}

/** The one error class of the framework. `code` is a protocol or method-specific string. */
export class SidecarError extends Error {
  override readonly name = 'SidecarError';
  readonly code: KnownErrorCode | (string & {});
  readonly retryable: boolean;
  readonly sidecar?: string;
  readonly method?: string;
  readonly data?: unknown;
  readonly stderrTail?: string[];
  readonly exitCode?: number | null;
  readonly signal?: string | null;

  constructor(code: KnownErrorCode | (string & {}), message: string, details: SidecarErrorDetails = {}) {
    super(SidecarError.format(message, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.retryable = details.retryable ?? RETRYABLE.has(code);
    this.sidecar = details.sidecar;
    this.method = details.method;
    this.data = details.data;
    this.stderrTail = details.stderrTail;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
  }

  /** True when `e` is a SidecarError, optionally with the given code. */
  static is(e: unknown, code?: string): e is SidecarError {
    return e instanceof SidecarError && (code === undefined || e.code === code);
  }

  /** A plain object for logs and for `--json` output. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      sidecar: this.sidecar,
      method: this.method,
      data: this.data,
      stderrTail: this.stderrTail,
      exitCode: this.exitCode,
      signal: this.signal,
    };
  }

  private static format(message: string, d: SidecarErrorDetails): string {
    const where = d.sidecar ? `[${d.sidecar}${d.method ? ` ${d.method}` : ''}] ` : '';
    const tail = d.stderrTail && d.stderrTail.length > 0 ? `\n  last stderr lines:\n    ${d.stderrTail.join('\n    ')}` : '';
    return `${where}${message}${tail}`;
  }
}
