/**
 * The default `IProcessSpawner`, on Node's `child_process.spawn` without a shell. On POSIX each
 * sidecar leads its own process group (`detached`), so killing the group takes grandchildren down
 * too; on Linux every descendant found through `/proc` is signalled as well, which reaches those
 * that left the group with `setsid()`. On Windows `taskkill /T` takes the tree. A sidecar still
 * dies with main even when main is killed hard, because its stdin closes (the protocol's orphan
 * rule), and the protocol kits then take their own children down.
 */
import { spawn } from 'node:child_process';
import type { ChildHandle, ExitInfo, IProcessSpawner, SpawnRequest } from './contract';
import { descendants, signalAll, type ProcessId } from './process-tree';

/** After 'exit', how long to wait for stdout to finish before reporting the exit anyway (a
 * grandchild may hold the pipe open). */
const CLOSE_GRACE_MS = 250;

export class NodeProcessSpawner implements IProcessSpawner {
  spawn(request: SpawnRequest): ChildHandle {
    const isWindows = process.platform === 'win32';
    const child = spawn(request.command, request.args, {
      cwd: request.cwd,
      env: request.env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: !isWindows,
      windowsHide: true,
      shell: false,
    });

    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (e) => reject(e));
    });
    // A failed spawn also never "exits": report it as an exit with no code so waiters settle.
    const exited = new Promise<ExitInfo>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (info: ExitInfo) => {
        if (timer) clearTimeout(timer);
        resolve(info);
      };
      child.once('error', (e) => done({ code: null, signal: null, spawnError: e }));
      child.once('close', (code, signal) => done({ code, signal }));
      child.once('exit', (code, signal) => {
        timer = setTimeout(() => done({ code, signal }), CLOSE_GRACE_MS);
        timer.unref();
      });
    });
    spawned.catch(() => undefined);

    // Descendants seen so far: after the sidecar exits they are no longer linked to it.
    const known = new Map<string, ProcessId>();
    const rememberTree = () => {
      if (child.pid === undefined || isWindows) return;
      for (const p of descendants(child.pid)) known.set(`${p.pid}:${p.start}`, p);
    };
    const killTree = (signal: NodeJS.Signals) => {
      const pid = child.pid;
      if (pid === undefined) return;
      rememberTree();
      if (isWindows) {
        // taskkill has no notion of gentle signals; /T takes the tree, /F forces it.
        const k = spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true, stdio: 'ignore' });
        k.on('error', () => child.kill(signal));
        return;
      }
      signalAll(known.values(), signal);
      try {
        process.kill(-pid, signal);
      } catch {
        // ESRCH: the group is already gone. Fall back to the child itself in case it left its group.
        try {
          child.kill(signal);
        } catch {
          /* already exited */
        }
      }
    };

    return {
      pid: child.pid,
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      exited,
      spawned,
      killTree,
      rememberTree,
    };
  }
}
