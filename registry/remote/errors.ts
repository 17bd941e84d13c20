/**
 * Error codes of remote launches, and the classifier that turns a failed transport command (its
 * exit code and stderr) into one of them. ssh reports its own failures with exit code 255 and a
 * message on stderr; docker, kubectl and wsl use their own codes and wording, so the message is
 * what decides. Each code says what a person can do about it, in the message and in the docs.
 */
import { RemoteErrorCodes } from '../../core/error-codes';
import { SidecarError } from '../../core/errors';
import type { TransportKind } from './command';

// The codes live with main's other codes, so the connection refuses them from a sidecar too.
export { RemoteErrorCodes, type RemoteErrorCode } from '../../core/error-codes';

/** What a finished transport command left behind. */
export interface CommandOutcome {
  code: number | null;
  signal: string | null;
  stderr: string;
  spawnError?: Error;
}

const AUTH = /permission denied|authentication fail|too many authentication failures|host key verification failed|no matching host key|unable to negotiate|remote host identification has changed|no supported authentication methods/i;
const UNREACHABLE =
  /could not resolve hostname|name or service not known|connection refused|connection timed out|operation timed out|no route to host|network is unreachable|connection closed by|connection reset|kex_exchange_identification|cannot connect to the docker daemon|no such container|is not running|unable to connect to the server|notfound|there is no distribution|error connecting/i;
/** For transports other than ssh, where a remote command's own "Permission denied" is not ours. */
const AUTH_OTHER = /permission denied while trying to connect|unauthorized|forbidden|authentication fail|access is denied/i;
const NO_SPACE = /no space left on device|disk quota exceeded|ENOSPC|EDQUOT|not enough space/i;
const NO_SHELL = /'sh' is not recognized|sh: (command )?not found|executable file not found in \$path.*"sh"|exec: "sh"/i;

/**
 * Classifies a failed transport command run for `step` (probe, check, upload, describe). Returns
 * undefined when the failure is not the transport's (the remote command itself failed); the
 * caller then reports it in its own words.
 */
export function classifyTransportFailure(kind: TransportKind, outcome: CommandOutcome, sidecar: string, transport: string, step: string): SidecarError | undefined {
  const tail = lastLines(outcome.stderr);
  const details = { sidecar, retryable: false, data: { transport, step, exitCode: outcome.code, stderr: tail } };
  if (outcome.spawnError) {
    const enoent = (outcome.spawnError as NodeJS.ErrnoException).code === 'ENOENT';
    return new SidecarError(
      enoent ? RemoteErrorCodes.transportNotFound : RemoteErrorCodes.unreachable,
      enoent
        ? `cannot run the transport "${transport}": ${outcome.spawnError.message} (is it installed and on PATH?)`
        : `cannot start the transport "${transport}": ${outcome.spawnError.message}`,
      { ...details, cause: outcome.spawnError },
    );
  }
  const text = outcome.stderr;
  if (NO_SPACE.test(text)) {
    return new SidecarError(RemoteErrorCodes.noSpace, `the remote is out of disk space or quota while ${step}: ${tail.join(' | ')} (free space there or set remoteDir elsewhere)`, details);
  }
  // ssh exits 255 for its own errors; the other transports are recognised by their messages.
  const auth = kind === 'ssh' ? AUTH : AUTH_OTHER;
  const transportFailed = kind === 'ssh' ? outcome.code === 255 : outcome.code !== 0 && (auth.test(text) || UNREACHABLE.test(text));
  if (!transportFailed) return undefined;
  if (auth.test(text)) {
    return new SidecarError(RemoteErrorCodes.authFailed, `"${transport}" was refused: ${tail.join(' | ')} (check the user, the key (ssh-add / -i) and the host key)`, details);
  }
  return new SidecarError(
    RemoteErrorCodes.unreachable,
    `"${transport}" cannot reach the remote: ${tail.join(' | ') || `exit code ${outcome.code}`} (check the host name, port, network or that the container runs)`,
    { ...details, retryable: true },
  );
}

/** True when the remote has no POSIX `sh` (typically a Windows host or a distroless image). */
export function lacksShell(outcome: CommandOutcome): boolean {
  return outcome.code === 127 || NO_SHELL.test(outcome.stderr);
}

/** The last few non-empty stderr lines, for messages. */
export function lastLines(text: string, n = 5): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .slice(-n);
}
