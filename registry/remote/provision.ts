/**
 * Provisioning one sidecar binary on the far side of a transport, step by step: probe the platform
 * (`uname -sm`, `$HOME` and the sha256 of each remote copy we could use, in one invocation),
 * compare the remote file's sha256 with the local build's, upload it
 * through the transport's own stdin when it is missing or differs (written to a temporary name,
 * checked, made executable and renamed, so a half-written binary is never run), and finally ask
 * the binary for `$/describe` to check its name and version before anyone uses it. Every remote
 * step is a small POSIX `sh` script, so it works the same over ssh, docker exec and wsl.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { SidecarError } from '../../core/errors';
import type { IProcessSpawner } from '../../core/process/contract';
import { BuiltinMethods, type DescribeResult } from '../../core/protocol';
import type { TransportCommand } from './command';
import { classifyTransportFailure, lacksShell, lastLines, RemoteErrorCodes } from './errors';
import { runRemote, type RunResult } from './exec';
import { parseUname, type RemotePlatform } from './targets';

/**
 * Prints the platform, the home folder, then for each argument (a remote path, `~/` allowed) its
 * sha256, `missing`, or `unknown` when no checksum tool exists: one connection for all of it.
 */
const PROBE = [
  'uname -sm && printf "%s\\n" "$HOME" || exit',
  'for f in "$@"; do',
  '  case "$f" in "~") f="$HOME" ;; "~/"*) f="$HOME/${f#??}" ;; esac',
  '  if [ -f "$f" ]; then',
  '    s=$({ sha256sum "$f" || shasum -a 256 "$f" || openssl dgst -sha256 -r "$f"; } 2>/dev/null | cut -c1-64)',
  '    echo "${s:-unknown}"',
  '  else echo missing; fi',
  'done',
].join('\n');

/** Reads stdin into a temporary file next to "$2" in folder "$1", checks it against "$3", makes it
 * executable and renames it into place; the temporary file is removed on any failure. */
const UPLOAD = [
  'set -e',
  'mkdir -p "$1"',
  't="$2.upload.$$"',
  "trap 'rm -f \"$t\"' EXIT",
  'cat > "$t"',
  's=$({ sha256sum "$t" || shasum -a 256 "$t" || openssl dgst -sha256 -r "$t"; } 2>/dev/null | cut -c1-64) || s=',
  'if [ -n "$s" ] && [ "$s" != "$3" ]; then echo "checksum mismatch after upload ($s)" >&2; exit 3; fi',
  'chmod 755 "$t"',
  'mv -f "$t" "$2"',
  'trap - EXIT',
].join('\n');

/** Everything the steps share. */
export interface StepContext {
  spawner: IProcessSpawner;
  transport: TransportCommand;
  /** The transport as the user wrote it, for messages. */
  description: string;
  sidecar: string;
  env: Record<string, string | undefined>;
  timeoutMs: number;
}

/** What the probe learned. */
export interface Probe {
  platform: RemotePlatform;
  home: string;
  /** Per path asked about, in order: its sha256, `missing`, or `unknown` (no checksum tool there). */
  checksums: string[];
}

/** Runs `uname -sm`, reads `$HOME` and checksums `files` on the far side, in one invocation. */
export async function probe(ctx: StepContext, files: string[]): Promise<Probe> {
  const r = await step(ctx, 'probing the remote platform', ['sh', '-c', PROBE, 'sh', ...files]);
  if (r.code !== 0) {
    if (lacksShell(r)) {
      throw new SidecarError(
        RemoteErrorCodes.unsupportedPlatform,
        `the remote has no POSIX sh (a Windows host? use "wsl -e" or an ssh server whose shell is sh): ${lastLines(r.stderr).join(' | ')}`,
        { sidecar: ctx.sidecar, retryable: false },
      );
    }
    throw failed(ctx, 'probing the remote platform', r);
  }
  const [uname = '', home = '', ...sums] = r.stdout.toString('utf8').split(/\r?\n/);
  return { platform: parseUname(uname), home: home.trim(), checksums: files.map((_, i) => sums[i]?.trim() || 'unknown') };
}

/** Uploads `local` to `file` (in `folder`) through the transport; `sha256` is checked there. */
export async function upload(ctx: StepContext, local: Buffer, folder: string, file: string, sha256: string): Promise<void> {
  const r = await step(ctx, 'uploading the binary', ['sh', '-c', UPLOAD, 'sh', folder, file, sha256], local, Math.max(ctx.timeoutMs, 120_000));
  if (r.code !== 0) throw failed(ctx, 'uploading the binary', r);
}

/** Starts `argv` (the remote binary with its launch args), asks `$/describe`, and closes its stdin. */
export async function describe(ctx: StepContext, argv: string[]): Promise<DescribeResult> {
  const request = JSON.stringify({ id: 'provision-describe', method: BuiltinMethods.describe, params: {} }) + '\n';
  const answered = (out: Buffer) => findDescribe(out) !== undefined;
  const r = await step(ctx, 'asking the remote binary for $/describe', argv, request, ctx.timeoutMs, answered);
  const found = findDescribe(r.stdout);
  if (found?.ok) return found.result as DescribeResult;
  const why = r.timedOut ? `no answer within ${ctx.timeoutMs} ms` : `it exited with code ${r.code}${r.signal ? ` (${r.signal})` : ''}`;
  const glibc = /GLIBC_[0-9.]+' not found/.test(r.stderr) ? ' The remote glibc is older than the build machine\'s: build the static musl target (see docs/remote.md).' : '';
  throw new SidecarError(
    RemoteErrorCodes.provisionFailed,
    `the remote binary ${argv[0]} did not answer $/describe: ${why}: ${lastLines(r.stderr).join(' | ')}${glibc}`,
    { sidecar: ctx.sidecar, retryable: false, data: { stderr: lastLines(r.stderr), exitCode: r.code } },
  );
}

/** The sha256 of a local file, hex. */
export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads a local build, with an error that names it. */
export function readLocal(file: string, sidecar: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new SidecarError('BINARY_NOT_FOUND', `cannot read the build to upload, ${file}: ${(e as Error).message}`, { sidecar, cause: e, retryable: false });
  }
}

/** Runs one step, turning a transport failure into its classified error. */
async function step(ctx: StepContext, what: string, argv: string[], input?: Buffer | string, timeoutMs = ctx.timeoutMs, until?: (b: Buffer) => boolean): Promise<RunResult> {
  const r = await runRemote(ctx.spawner, ctx.transport, argv, { input, timeoutMs, env: ctx.env, until });
  const classified = classifyTransportFailure(ctx.transport.kind, r, ctx.sidecar, ctx.description, what);
  if (classified) throw classified;
  if (r.timedOut && !until) {
    throw new SidecarError(RemoteErrorCodes.unreachable, `"${ctx.description}" did not finish ${what} within ${timeoutMs} ms (a hung link?)`, {
      sidecar: ctx.sidecar,
      retryable: true,
    });
  }
  return r;
}

function failed(ctx: StepContext, what: string, r: RunResult): SidecarError {
  return new SidecarError(RemoteErrorCodes.provisionFailed, `${what} failed on the remote (exit code ${r.code}): ${lastLines(r.stderr).join(' | ')}`, {
    sidecar: ctx.sidecar,
    retryable: false,
    data: { stderr: lastLines(r.stderr), exitCode: r.code },
  });
}

function findDescribe(out: Buffer): { ok: boolean; result?: unknown } | undefined {
  for (const line of out.toString('utf8').split('\n')) {
    try {
      const msg = JSON.parse(line) as { id?: unknown; ok?: boolean; result?: unknown };
      if (msg.id === 'provision-describe') return { ok: msg.ok === true, result: msg.result };
    } catch {
      /* not a complete JSON line yet, or a non-protocol line */
    }
  }
  return undefined;
}
