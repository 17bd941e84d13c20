/**
 * Nothing a sidecar started outlives it (issue 9, item 7), on Linux where the test can see every
 * process: a child in the sidecar's group and a grandchild that called `setsid()` go when the
 * registry is disposed, whether or not the sidecar takes them down itself, and go when main is
 * SIGKILLed, because the Node kit applies the children rule when its stdin closes. A sidecar that
 * applies no rule at all (and ignores SIGTERM) is held by skaffa-reaper, which main launches it
 * under (issue 20, item 2); the same sidecar opted out with `contain: false` is the control.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { defineSidecar, method } from '../registry';
import { fakeManifest } from './fixtures/fake-manifest';
import { isAlive, makeRegistry, waitFor } from './helpers';
import { ensureBuilt } from './cli/cli-harness';

const linux = process.platform === 'linux' ? describe : describe.skip;
const TREE_SIDECAR = path.join(__dirname, 'fixtures/tree-sidecar.js');
const treeManifest = defineSidecar({
  name: 'tree',
  binary: { command: process.execPath, args: [TREE_SIDECAR] },
  supervisor: { pingIntervalMs: 0, shutdownGraceMs: 1500 },
  methods: {
    'tree/spawn': method<Record<string, never>, { child: number; grandchild: number }>({ params: { type: 'object' }, result: { type: 'object' } }),
  },
});

const survivors: number[] = [];
afterEach(() => {
  for (const pid of survivors.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

async function allGone(pids: number[]): Promise<void> {
  survivors.push(...pids);
  await waitFor(() => pids.every((p) => !isAlive(p)), 5_000, `processes ${pids.filter(isAlive).join(', ')} to exit`);
}

linux('containment', () => {
  test('dispose() takes down a setsid() grandchild even when the sidecar leaves its children behind', async () => {
    const registry = makeRegistry([fakeManifest('leaky')]);
    const { child, grandchild } = (await registry.call('leaky', 'test/spawnTree', {})) as { child: number; grandchild: number };
    const sidecar = registry.supervisor('leaky').pid!;
    expect([sidecar, child, grandchild].every(isAlive)).toBe(true);
    await registry.dispose();
    await allGone([sidecar, child, grandchild]);
  });

  test('a Node-kit sidecar takes its tree down on $/shutdown', async () => {
    const registry = makeRegistry([treeManifest]);
    const { child, grandchild } = await registry.client(treeManifest).call('tree/spawn', {});
    const sidecar = registry.supervisor('tree').pid!;
    expect([child, grandchild].every(isAlive)).toBe(true);
    await registry.dispose();
    await allGone([sidecar, child, grandchild]);
  });

  test('when main is SIGKILLed, the sidecar, its child and its setsid() grandchild all go', async () => {
    const main = spawn(process.execPath, [path.join(__dirname, 'fixtures/tree-main.js'), process.execPath, TREE_SIDECAR], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve) => readline.createInterface({ input: main.stdout! }).once('line', resolve));
    const { sidecar, child, grandchild } = JSON.parse(line) as { sidecar: number; child: number; grandchild: number };
    survivors.push(sidecar, child, grandchild);
    expect([sidecar, child, grandchild].every(isAlive)).toBe(true);
    main.kill('SIGKILL');
    await allGone([sidecar, child, grandchild]);
  });

  /** Runs fixtures/contained-main.js (the compiled registry) and returns the pids it printed. */
  async function startMain(args: string[]) {
    ensureBuilt();
    const main = spawn(process.execPath, [path.join(__dirname, 'fixtures/contained-main.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => readline.createInterface({ input: main.stdout! }).once('line', resolve));
    const pids = JSON.parse(line) as { launched: number; sidecar: number; child: number; grandchild: number };
    survivors.push(pids.launched, pids.sidecar, pids.child, pids.grandchild);
    return { main, ...pids };
  }

  const comm = (pid: number) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

  test('when main is SIGKILLed, skaffa-reaper takes down a rule-breaking sidecar, its child and its setsid() grandchild', async () => {
    const { main, launched, sidecar, child, grandchild } = await startMain([]);
    // The process main launched is the reaper, and the sidecar runs under it.
    expect(comm(launched)).toBe('skaffa-reaper');
    expect(launched).not.toBe(sidecar);
    expect([launched, sidecar, child, grandchild].every(isAlive)).toBe(true);
    main.kill('SIGKILL');
    await waitFor(() => [launched, sidecar, child, grandchild].every((p) => !isAlive(p)), 1_000, 'everything to be gone within 1 s');
  });

  test('control: the same sidecar opted out with contain: false leaves its grandchild running', async () => {
    const { main, launched, sidecar, grandchild } = await startMain(['--uncontained']);
    expect(launched).toBe(sidecar);
    main.kill('SIGKILL');
    await waitFor(() => !isAlive(sidecar), 5_000, 'the sidecar to exit when its stdin ends');
    // Nothing took the setsid() grandchild down: afterEach kills it.
    expect(isAlive(grandchild)).toBe(true);
  });
});
