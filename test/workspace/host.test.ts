/**
 * The WorkspaceHost on the real workspace binary: one sidecar per folder (the same API for every
 * spelling of a folder, separate processes for separate folders), `close` stopping one folder
 * only, `dispose` stopping all of them once and within its deadline even when a shutdown hangs,
 * `resolve` giving each folder's other services (the typescript sidecar, started only when first
 * called), and the Electron quit hook, with `app` modelled as an object that records what happens.
 */
import 'reflect-metadata';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { container } from 'tsyringe';
import { LoggerToken, NullLogger, registerSidecar, SidecarRegistryToken, type ISidecarRegistry } from '../../registry';
import { registerTypeScriptSidecar, TypeScriptAPIToken } from '../../sidecars/typescript';
import { installQuitHook, WorkspaceHost, type QuitHookApp } from '../../sidecars/workspace';
import { fakeManifest } from '../fixtures/fake-manifest';
import { isAlive, waitFor } from '../helpers';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function folder(files: string[]): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-host-')));
  dirs.push(root);
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), `${f}\n`);
  }
  return root;
}

const quiet = (c: import('tsyringe').DependencyContainer) => c.register(LoggerToken, { useValue: new NullLogger() });
// Every host here runs uncached (`cacheDir: null`): these tests are about processes, and a default
// cache would leave snapshots of temp folders in the user's cache; cache-dir.test.ts covers it.

async function pidOf(host: WorkspaceHost, root: string): Promise<number> {
  await host.open(root).status();
  const pid = host.registry(root)!.supervisor('workspace').pid;
  expect(pid).toEqual(expect.any(Number));
  return pid!;
}

test('one sidecar per folder: the same API for the same folder, separate processes for separate ones', async () => {
  const a = folder(['alpha/one.txt']);
  const b = folder(['beta/two.txt']);
  const link = path.join(os.tmpdir(), `skaffa-host-link-${process.pid}`);
  fs.rmSync(link, { force: true });
  fs.symlinkSync(a, link);
  dirs.push(link);
  const host = new WorkspaceHost({ container, cacheDir: null, configure: quiet });
  try {
    const api = host.open(a);
    expect(host.open(`${a}/`)).toBe(api);
    expect(host.open(link)).toBe(api);
    expect(host.open(b)).not.toBe(api);
    expect(host.roots().sort()).toEqual([a, b].sort());
    expect((await host.open(a).findFiles('one', { waitForIndex: true })).matches.map((m) => m.path)).toEqual(['alpha/one.txt']);
    expect((await host.open(b).findFiles('one', { waitForIndex: true })).matches).toEqual([]);
    expect(await pidOf(host, a)).not.toBe(await pidOf(host, b));
  } finally {
    await host.dispose();
  }
});

test('resolve reaches a folder\'s other services: the typescript sidecar per folder, started only by its first call', async () => {
  const a = folder([]);
  const b = folder([]);
  fs.mkdirSync(path.join(a, 'src'));
  fs.writeFileSync(path.join(a, 'src/a.ts'), 'export const alpha = 1;\n');
  const host = new WorkspaceHost({
    container,
    cacheDir: null,
    configure: (c) => {
      quiet(c);
      registerTypeScriptSidecar(c);
    },
  });
  try {
    expect(host.resolve(a, TypeScriptAPIToken)).toBeUndefined(); // not open yet
    await host.open(a).status();
    const ts = host.resolve(a, TypeScriptAPIToken)!;
    expect(host.resolve(`${a}/`, TypeScriptAPIToken)).toBe(ts);
    // The workspace sidecar runs; the typescript one is registered but not started.
    const typescript = (root: string) => host.registry(root)!.list().find((s) => s.name === 'typescript');
    expect(typescript(a)).toMatchObject({ state: 'idle', pid: undefined });
    // Its first call starts it, in that folder only, answering about that folder's files.
    host.open(b);
    expect((await ts.outline('src/a.ts')).symbols.map((s) => s.name)).toEqual(['alpha']);
    expect(typescript(a)).toMatchObject({ state: 'ready' });
    expect(typescript(b)).toMatchObject({ state: 'idle', pid: undefined });
    expect(host.resolve(b, TypeScriptAPIToken)).not.toBe(ts);
  } finally {
    await host.dispose();
  }
});

test('close stops one folder; dispose stops the rest once, and the host refuses new folders', async () => {
  const a = folder(['a.txt']);
  const b = folder(['b.txt']);
  const host = new WorkspaceHost({ container, cacheDir: null, configure: quiet });
  const pa = await pidOf(host, a);
  const pb = await pidOf(host, b);
  await host.close(a);
  await waitFor(() => !isAlive(pa), 10_000, 'the closed folder\'s sidecar to exit');
  expect(isAlive(pb)).toBe(true);
  expect(host.get(a)).toBeUndefined();
  await host.close(a); // not open any more: nothing to do
  expect((await host.open(b).glob('**')).paths).toEqual(['b.txt']);

  const first = host.dispose();
  expect(host.dispose()).toBe(first);
  expect(await first).toEqual({ timedOut: [] });
  await waitFor(() => !isAlive(pb), 10_000, 'every sidecar to exit');
  expect(host.roots()).toEqual([]);
  expect(() => host.open(a)).toThrow(/disposed/);
});

test('dispose resolves by its deadline when a shutdown hangs, naming the folder', async () => {
  const hung = folder(['x.txt']);
  const fine = folder(['y.txt']);
  const fakeRegistry = (disposeResult: Promise<void>) => ({ dispose: () => disposeResult, client: () => ({}) }) as unknown as ISidecarRegistry;
  const host = new WorkspaceHost({
    container,
    cacheDir: null,
    configure: (c, root) => {
      quiet(c);
      c.register(SidecarRegistryToken, { useValue: fakeRegistry(root === hung ? new Promise<void>(() => undefined) : Promise.resolve()) });
    },
  });
  host.open(hung);
  host.open(fine);
  expect(await host.dispose({ deadlineMs: 300 })).toEqual({ timedOut: [hung] });
});

test('dispose and close hand their deadline to each folder: a sidecar that ignores $/shutdown and SIGTERM is killed by it', async () => {
  // Each polite step may take 30 s, so within the 10 s waited below only the deadline can end it.
  const stubborn = fakeManifest('stubborn', { flags: ['--ignore-shutdown', '--ignore-sigterm'], supervisor: { shutdownGraceMs: 30_000 } });
  const closed = folder(['c.txt']);
  const disposed = folder(['d.txt']);
  const host = new WorkspaceHost({
    container,
    cacheDir: null,
    configure: (c) => {
      quiet(c);
      registerSidecar(c, stubborn);
    },
  });
  const stubbornPid = async (root: string) => {
    host.open(root);
    return (await host.registry(root)!.client(stubborn).call('test/pid', {})).pid;
  };
  const pids = [await stubbornPid(closed), await stubbornPid(disposed)];
  try {
    await host.close(closed, { deadlineMs: 300 });
    await waitFor(() => !isAlive(pids[0]), 10_000, 'the closed folder\'s stubborn sidecar to be killed at the deadline');
    expect(isAlive(pids[1])).toBe(true);
    await host.dispose({ deadlineMs: 300 });
    await waitFor(() => !isAlive(pids[1]), 10_000, 'the disposed folder\'s stubborn sidecar to be killed at the deadline');
  } finally {
    for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});

test('the quit hook holds the first quit until every sidecar is down, then exits once', async () => {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  const app: QuitHookApp = {
    on: (e, l) => emitter.on(e, l),
    removeListener: (e, l) => emitter.removeListener(e, l),
    exit: (code) => void exits.push(code ?? 0),
  };
  let finish!: () => void;
  const calls: Array<{ deadlineMs?: number }> = [];
  const host = {
    dispose: (o?: { deadlineMs?: number }) => {
      calls.push(o ?? {});
      return new Promise<{ timedOut: string[] }>((r) => (finish = () => r({ timedOut: [] })));
    },
  };
  const hook = installQuitHook(app, host, { deadlineMs: 1234 });
  const quit = () => {
    let prevented = false;
    emitter.emit('will-quit', { preventDefault: () => (prevented = true) });
    return prevented;
  };
  expect(quit()).toBe(true);
  expect(quit()).toBe(true); // a second Cmd-Q while shutting down is held too
  expect(calls).toEqual([{ deadlineMs: 1234 }]);
  expect(exits).toEqual([]);
  finish();
  await waitFor(() => exits.length > 0, 5_000, 'app.exit');
  expect(exits).toEqual([0]);
  hook.dispose();
  expect(emitter.listenerCount('will-quit')).toBe(0);
});
