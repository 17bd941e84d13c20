/**
 * The escalating shutdown of one sidecar process: ask politely with `$/shutdown`, then SIGTERM
 * to its process tree, then SIGKILL, each step waiting up to the grace period, and the whole of it
 * bounded by an optional deadline the app chooses (at quit an app cannot wait forever). Whatever
 * happened, the tree gets a final SIGKILL so nothing the sidecar started outlives it.
 */
import type { IClock } from '../clock';
import type { ILogger } from '../logger';
import type { ChildHandle } from '../process/contract';

export interface ShutdownSteps {
  child: ChildHandle;
  /** Sends `$/shutdown` (errors are the caller's to ignore). */
  askToExit(): void;
  graceMs: number;
  /** Clock time after which no more waiting is done (Infinity: none). */
  deadline: number;
  clock: IClock;
  logger: ILogger;
  sidecar: string;
}

/** Runs the steps; resolves when the process exited or the deadline forced a SIGKILL. */
export async function shutdownProcess(s: ShutdownSteps): Promise<void> {
  const waitFor = (ms: number) => exitsWithin(s.child, Math.min(ms, Math.max(0, s.deadline - s.clock.now())), s.clock);
  s.child.rememberTree?.();
  s.askToExit();
  if (!(await waitFor(s.graceMs))) {
    const termed = s.clock.now() < s.deadline;
    if (termed) {
      s.logger.warn('sidecar ignored $/shutdown; sending SIGTERM', { sidecar: s.sidecar });
      s.child.killTree('SIGTERM');
    }
    if (!(await waitFor(s.graceMs))) {
      const why = termed && s.clock.now() < s.deadline ? 'sidecar ignored SIGTERM' : 'shutdown deadline reached';
      s.logger.warn(`${why}; sending SIGKILL`, { sidecar: s.sidecar });
      s.child.killTree('SIGKILL');
      await waitFor(s.graceMs);
    }
  }
  // The leader is gone (or was just killed); take down anything it left behind.
  s.child.killTree('SIGKILL');
}

/** True if `child` exits within `ms`. The timer is cleared either way, so it holds nothing open. */
function exitsWithin(child: ChildHandle, ms: number, clock: IClock): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), ms);
    void child.exited.then(() => {
      clock.clearTimeout(timer);
      resolve(true);
    });
  });
}
