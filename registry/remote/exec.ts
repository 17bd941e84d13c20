/**
 * Runs one short command on the far side of a transport (probe, checksum, upload, describe) and
 * collects what it printed. It uses the same `IProcessSpawner` as the sidecars, so a spawner an app
 * swaps in (a sandbox, a test double) sees these commands too, and it always ends: input is
 * written and closed, and a deadline kills the whole process tree if the link hangs.
 */
import type { IProcessSpawner } from '../../core/process/contract';
import { remoteCommand, type TransportCommand } from './command';
import type { CommandOutcome } from './errors';

/** What a command run through the transport produced. */
export interface RunResult extends CommandOutcome {
  stdout: Buffer;
  /** True when the deadline passed and the command was killed. */
  timedOut: boolean;
}

/** Options of one run. */
export interface RunOptions {
  /** Written to the command's stdin, which is then closed. */
  input?: Buffer | string;
  timeoutMs: number;
  env: Record<string, string | undefined>;
  /** Stop reading (and let the command end by EOF) once stdout satisfies this. */
  until?: (stdout: Buffer) => boolean;
}

/** Runs `argv` through `transport` and resolves when it has exited (never rejects). */
export function runRemote(spawner: IProcessSpawner, transport: TransportCommand, argv: string[], options: RunOptions): Promise<RunResult> {
  const { command, args } = remoteCommand(transport, argv);
  const child = spawner.spawn({ command, args, env: options.env });
  const out: Buffer[] = [];
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (b: Buffer) => {
    out.push(b);
    if (options.until?.(Buffer.concat(out))) child.stdin.end();
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString('utf8');
  });
  // A transport that exits early makes writes fail with EPIPE; its exit status tells the story.
  child.stdin.on('error', () => undefined);
  const timer = setTimeout(() => {
    timedOut = true;
    child.killTree('SIGKILL');
  }, options.timeoutMs);
  child.spawned.then(
    () => {
      if (options.input !== undefined) child.stdin.write(options.input);
      if (!options.until) child.stdin.end();
    },
    () => undefined,
  );
  return child.exited.then((info) => {
    clearTimeout(timer);
    return { code: info.code, signal: info.signal, spawnError: info.spawnError, stderr, stdout: Buffer.concat(out), timedOut };
  });
}
