/**
 * The process-spawning seam. The supervisor only needs a child with three pipes, a way to learn
 * when it exited, and a way to kill it together with everything it started; `IProcessSpawner`
 * gives exactly that, so tests and apps can substitute their own (for example a spawner that runs
 * sidecars in a sandbox).
 */
import type { Readable, Writable } from 'node:stream';
import type { InjectionToken } from 'tsyringe';

/** How to start a sidecar process. No shell is involved: `command` is executed directly. */
export interface SpawnRequest {
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd?: string;
}

/** How a process ended: an exit code, or the signal that killed it. */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Set when the process could not be started at all. */
  spawnError?: Error;
}

/** A running child process. */
export interface ChildHandle {
  readonly pid: number | undefined;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once, when the process has exited and its stdout has been read to the end (or shortly after exit). */
  readonly exited: Promise<ExitInfo>;
  /** Rejects if the process could not be started at all (ENOENT, EACCES...). Resolves once it runs. */
  readonly spawned: Promise<void>;
  /** Sends `signal` to the process and all of its descendants. Safe to call after exit. */
  killTree(signal: NodeJS.Signals): void;
  /** Optional: notes the current descendants, so that a later `killTree` still reaches those the
   * sidecar leaves orphaned when it exits (called before asking it to shut down). */
  rememberTree?(): void;
}

/** Starts child processes. */
export interface IProcessSpawner {
  spawn(request: SpawnRequest): ChildHandle;
}

/** DI token for the process spawner. */
export const ProcessSpawnerToken: InjectionToken<IProcessSpawner> = Symbol('skaffa.ProcessSpawner');
