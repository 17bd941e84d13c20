/**
 * Incarnations are independent: callbacks of a process that a stop left behind (its exit and its
 * stdout closing, arriving after the next process is ready) must not touch the new process. A
 * scripted spawner stands in for real processes so the old exit can be delivered exactly then.
 */
import * as readline from 'node:readline';
import { PassThrough } from 'node:stream';
import { SystemClock } from '../core/clock';
import { DEFAULT_SUPERVISOR_OPTIONS, type SupervisorEvents } from '../core/supervisor/contract';
import { Supervisor } from '../core/supervisor/supervisor';
import type { ChildHandle, ExitInfo, IProcessSpawner } from '../core/process/contract';
import { NullLogger } from '../registry';

/** A child whose exit the test decides; it answers every request with `{ pid }` and ignores `$/shutdown`. */
interface ScriptedChild extends ChildHandle {
  exit(info: ExitInfo): void;
}

function scriptedChild(pid: number): ScriptedChild {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let exit!: (info: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((resolve) => (exit = resolve));
  readline.createInterface({ input: stdin }).on('line', (line) => {
    const msg = JSON.parse(line) as { id: string; method: string };
    if (msg.method !== '$/shutdown') stdout.write(`${JSON.stringify({ id: msg.id, ok: true, result: { pid } })}\n`);
  });
  return {
    pid,
    stdin,
    stdout,
    stderr,
    exited,
    spawned: Promise.resolve(),
    killTree: () => undefined,
    exit: (info) => {
      stdout.end();
      exit(info);
    },
  };
}

/** A supervisor over scripted children; `launcher` may be replaced to hold a start in the launch step. */
function scriptedSupervisor(launcher?: () => Promise<{ command: string; args: string[]; env: Record<string, string> }>) {
  const children: ScriptedChild[] = [];
  const spawner: IProcessSpawner = {
    spawn: () => {
      const child = scriptedChild(1000 + children.length);
      children.push(child);
      return child;
    },
  };
  const options = { ...DEFAULT_SUPERVISOR_OPTIONS, pingIntervalMs: 0, shutdownGraceMs: 50 };
  const launch = launcher ?? (async () => ({ command: 'scripted', args: [], env: {} }));
  const sup = new Supervisor('s', launch, {}, options, { spawner, clock: new SystemClock(), logger: new NullLogger() });
  return { sup, children };
}

test('a process that exits after a stop, once the next one is ready, does not touch the next one', async () => {
  const { sup, children } = scriptedSupervisor();
  const seen: string[] = [];
  const record = (name: keyof SupervisorEvents) => sup.on(name, (e) => void seen.push(`${name}:${JSON.stringify(e)}`));
  try {
    await sup.start();
    // The first process ignores $/shutdown and never exits: a zero deadline ends the stop anyway.
    await sup.stop({ deadlineMs: 0 });
    await sup.start();
    expect(sup.pid).toBe(1001);
    for (const name of ['crash', 'restart', 'failed', 'stateChange'] as const) record(name);

    children[0].exit({ code: 9, signal: null });
    expect(await sup.call('$/anything', {})).toEqual({ pid: 1001 });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([]);
    expect(sup.state).toBe('ready');
    expect(sup.health().lastExit).toBeUndefined();

    // Positive control of the observation: the same exit from the current process is a crash.
    children[1].exit({ code: 9, signal: null });
    await new Promise((r) => setImmediate(r));
    expect(seen.some((s) => s.startsWith('crash:'))).toBe(true);
  } finally {
    await sup.dispose({ deadlineMs: 0 });
  }
});

test('a launch step that finishes after a stop spawns nothing, even when the sidecar was started again since', async () => {
  const held: Array<() => void> = [];
  const request = { command: 'scripted', args: [], env: {} };
  const { sup, children } = scriptedSupervisor(() => new Promise((resolve) => held.push(() => resolve(request))));
  try {
    const first = sup.start().catch((e: unknown) => e);
    await sup.stop();
    expect(await first).toMatchObject({ code: 'SIDECAR_UNAVAILABLE' });
    const second = sup.start();
    expect(held).toHaveLength(2);
    held[0]();
    held[1]();
    await second;
    expect(sup.state).toBe('ready');
    // Positive control: the started sidecar is the only process, and it is the one serving.
    expect(children.map((c) => c.pid)).toEqual([1000]);
    expect(await sup.call('$/anything', {})).toEqual({ pid: 1000 });
  } finally {
    await sup.dispose({ deadlineMs: 0 });
  }
});
