/**
 * How the CLI turns a failure into something a person can act on, and into an exit code. Exit
 * codes follow the usual convention: 0 success, 1 a runtime failure (or, like grep, a search that
 * found nothing), 2 a usage error (bad arguments, a folder that does not exist), 130 interrupted
 * by Ctrl-C. Every `SidecarError` code the framework documents gets a sentence that says what to
 * do next, because the raw message alone ("BINARY_NOT_FOUND") leaves the user guessing.
 */
import { SidecarError } from 'skaffa-sidecars';

/** The exit codes the CLI uses, named so call sites read as intent. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  /** `find`/`search` with no results: grep's convention, handy in scripts (`skaffa find x && …`). */
  noMatch: 1,
  usage: 2,
  interrupted: 130,
} as const;

/** A mistake in how the CLI was invoked (bad argument, missing folder): exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Raised when Ctrl-C ends a command, so the caller exits 130 after shutting sidecars down. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor() {
    super('interrupted');
  }
}

/** What to print for a failure and which exit code to use. */
export interface Explained {
  exitCode: number;
  /** Lines for a person (stderr). */
  lines: string[];
  /** The same failure as a JSON value, for `--json`. */
  json: Record<string, unknown>;
}

/** The last crash of a sidecar, as the registry's `crash` event reports it. */
export interface CrashInfo {
  exitCode: number | null;
  signal: string | null;
  stderrTail: string[];
}

/**
 * Explains any thrown value. Known `SidecarError` codes get a hint with the next step; unknown
 * errors keep their message so nothing is hidden. `crashes` (the session's last crash per
 * sidecar) supplies the stderr lines when the error itself does not carry them, e.g. after the
 * sidecar crashed so often that the supervisor gave up.
 */
export function explain(e: unknown, crashes: ReadonlyMap<string, CrashInfo> = new Map()): Explained {
  if (e instanceof InterruptedError) return { exitCode: ExitCode.interrupted, lines: [], json: { code: 'INTERRUPTED' } };
  if (e instanceof UsageError) {
    return { exitCode: ExitCode.usage, lines: [`error: ${e.message}`], json: { code: 'USAGE', message: e.message } };
  }
  if (SidecarError.is(e)) {
    const lines = [`error ${e.code}: ${firstLine(e.message)}`, ...hintFor(e, e.sidecar ? crashes.get(e.sidecar) : undefined)];
    return { exitCode: ExitCode.failure, lines, json: e.toJSON() };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { exitCode: ExitCode.failure, lines: [`error: ${message}`], json: { code: 'ERROR', message } };
}

/** The next step for each code a user can do something about. */
function hintFor(e: SidecarError, crash: CrashInfo | undefined): string[] {
  switch (e.code) {
    case 'BINARY_NOT_FOUND':
      return [
        `  The ${e.sidecar ?? 'sidecar'} binary is not built (or an override path is wrong).`,
        '  Build it with:  cargo build --workspace   (or: npm run build:rust)',
        ...candidateLines(e.data),
      ];
    case 'SIDECAR_CRASHED':
      return crashLines(e.sidecar, e.stderrTail ?? crash?.stderrTail ?? [], e.signal ?? crash?.signal, e.exitCode ?? crash?.exitCode);
    case 'INVALID_PARAMS':
      return ['  The params do not match the method\'s schema; see docs/protocol.md or `skaffa sidecars` for the methods.'];
    case 'METHOD_NOT_FOUND':
      return ['  Run `skaffa sidecars` to see each sidecar\'s methods.'];
    case 'TIMEOUT':
      return ['  The sidecar did not answer in time; a very large folder may need longer. Try again, or use --verbose.'];
    case 'SIDECAR_UNAVAILABLE':
      // A sidecar that kept crashing ends here ("failed"); its last crash says why.
      if (crash) return crashLines(e.sidecar, e.stderrTail ?? crash.stderrTail, crash.signal, crash.exitCode);
      return ['  Run `skaffa sidecars` to see what is registered and its state; --verbose shows sidecar stderr.'];
    case 'OUTSIDE_WORKSPACE':
      return ['  Paths are relative to --root and may not leave it.'];
    case 'NOT_ANALYZED':
      return ['  Only TS/JS files (.ts .tsx .mts .cts .js .jsx .mjs .cjs) of at most 1 MiB are analysed.'];
    case 'INVALID_PATH':
      return ['  Names Windows reads as devices or streams (CON, NUL.txt, a:b, a trailing dot or space) are refused everywhere.'];
    case 'REMOTE_UNREACHABLE':
    case 'REMOTE_AUTH_FAILED':
      return ['  Try the transport by hand (e.g. ssh -T dev@box -- true); docs/remote.md lists what each code means.'];
    case 'REMOTE_UNSUPPORTED_PLATFORM':
    case 'REMOTE_VERSION_MISMATCH':
    case 'REMOTE_NO_SPACE':
    case 'REMOTE_PROVISION_FAILED':
      return ['  See docs/remote.md: which builds are uploaded, where (--remote-dir), and how to build one for the remote.'];
    case 'INVALID_ENCODING':
      return ['  The file is not UTF-8 text; `skaffa read --base64 <path>` reads it as bytes.'];
    case 'PERMISSION_DENIED':
      return ['  The sidecar runs as you: the file or a folder above it does not let you read it (check its permissions).'];
    default:
      return [];
  }
}

/** How a sidecar ended and the last lines it wrote to stderr. */
function crashLines(sidecar: string | undefined, tail: string[], signal: string | null | undefined, exitCode: number | null | undefined): string[] {
  const how = signal ? `signal ${signal}` : exitCode !== undefined && exitCode !== null ? `exit code ${exitCode}` : 'cause unknown';
  return [
    `  The ${sidecar ?? ''} sidecar crashed (${how}).`,
    ...(tail.length > 0 ? ['  Its last stderr lines:', ...tail.slice(-15).map((l) => `    ${l}`)] : ['  It wrote nothing to stderr; run again with --verbose.']),
  ];
}

/** The resolver lists every place it looked; show them so an override typo is obvious. */
function candidateLines(data: unknown): string[] {
  const candidates = (data as { candidates?: Array<{ source: string; path: string; status: string; envVar?: string }> } | undefined)?.candidates;
  if (!Array.isArray(candidates) || candidates.length === 0) return [];
  return ['  Looked in:', ...candidates.map((c) => `    ${c.source}${c.envVar ? ` (${c.envVar})` : ''}: ${c.path} — ${c.status}`)];
}

/** SidecarError messages append the stderr tail; the hint shows it once, trimmed. */
function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
