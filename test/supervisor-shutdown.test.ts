/**
 * Events and shutdown: sidecar events reach subscribers until they dispose their subscription,
 * stderr lines and per-request completions are observable, and disposing the registry leaves no
 * process behind, whether the sidecar honours `$/shutdown`, needs SIGTERM, or needs SIGKILL, and
 * including processes the sidecar started itself.
 */
import { LoggerToken, NullLogger } from '../registry';
import { fakeManifest } from './fixtures/fake-manifest';
import { isAlive, makeRegistry, rejectionOf, waitFor } from './helpers';

describe('events', () => {
  test('sidecar events reach a client listener in order until it is disposed', async () => {
    const manifest = fakeManifest();
    const registry = makeRegistry([manifest]);
    const client = registry.client(manifest);
    const seen: unknown[] = [];
    const sub = client.onEvent('test/tick', (data) => void seen.push(data));
    await client.call('test/emit', { event: 'test/tick', data: { n: 1 }, count: 3 });
    await waitFor(() => seen.length === 3);
    expect(seen).toEqual([{ n: 1, seq: 0 }, { n: 1, seq: 1 }, { n: 1, seq: 2 }]);
    sub.dispose();
    const other: unknown[] = [];
    const sub2 = client.onEvent('test/tick', (data) => void other.push(data));
    await client.call('test/emit', { event: 'test/tick', count: 2 });
    await waitFor(() => other.length === 2);
    expect(seen).toHaveLength(3);
    sub2.dispose();
  });

  test('stderr lines are events with the sidecar name, even when flooded', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const lines: string[] = [];
    registry.on('stderr', (e) => {
      expect(e.sidecar).toBe('fake');
      lines.push(e.line);
    });
    expect(await registry.call('fake', 'test/stderrFlood', { lines: 20_000 })).toEqual({ lines: 20_000 });
    await waitFor(() => lines.length === 20_000, 30_000, 'all stderr lines');
    expect(lines[19_999]).toBe('fake: flood line 19999');
    expect(await registry.call('fake', 'test/echo', { value: 'ok' })).toEqual({ value: 'ok' });
  });

  test('every request reports its completion with a duration', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const done: Array<{ method: string; ok: boolean; durationMs: number; code?: string }> = [];
    registry.on('request', (e) => void done.push(e));
    await registry.call('fake', 'test/sleep', { ms: 20 });
    await rejectionOf(registry.call('fake', 'test/fail', { code: 'NOPE', message: 'no' }));
    await waitFor(() => done.some((d) => d.method === 'test/fail'));
    const sleep = done.find((d) => d.method === 'test/sleep')!;
    expect(sleep.ok).toBe(true);
    expect(sleep.durationMs).toBeGreaterThanOrEqual(15);
    expect(done.find((d) => d.method === 'test/fail')).toMatchObject({ ok: false, code: 'NOPE' });
  });
});

describe('shutdown', () => {
  /** Starts sidecar "s" and records the supervisor's warnings (they name each escalation step). */
  async function startedPid(flags: string[] = []) {
    const warnings: string[] = [];
    const logger = Object.assign(new NullLogger(), { warn: (m: string) => void warnings.push(m) });
    const registry = makeRegistry([fakeManifest('s', { flags, supervisor: { shutdownGraceMs: 300 } })], {}, (c) =>
      c.register(LoggerToken, { useValue: logger }),
    );
    await registry.start();
    const pid = registry.supervisor('s').pid!;
    expect(isAlive(pid)).toBe(true);
    return { registry, pid, warnings };
  }

  test('dispose() shuts down with $/shutdown: exit code 0, no crash', async () => {
    const { registry, pid, warnings } = await startedPid();
    const crashes: unknown[] = [];
    registry.on('crash', (e) => void crashes.push(e));
    const states: string[] = [];
    registry.on('stateChange', (e) => void states.push(e.to));
    await registry.dispose();
    expect(isAlive(pid)).toBe(false);
    expect(states).toEqual(['stopping', 'stopped']);
    expect(crashes).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('a sidecar that ignores $/shutdown gets SIGTERM', async () => {
    const { registry, pid, warnings } = await startedPid(['--ignore-shutdown']);
    await registry.dispose();
    expect(isAlive(pid)).toBe(false);
    expect(warnings).toEqual(['sidecar ignored $/shutdown; sending SIGTERM']);
  });

  test('a sidecar that ignores $/shutdown and SIGTERM gets SIGKILL', async () => {
    const { registry, pid, warnings } = await startedPid(['--ignore-shutdown', '--ignore-sigterm']);
    await registry.dispose();
    expect(isAlive(pid)).toBe(false);
    expect(warnings).toEqual(['sidecar ignored $/shutdown; sending SIGTERM', 'sidecar ignored SIGTERM; sending SIGKILL']);
  });

  test('processes the sidecar started go too', async () => {
    const { registry } = await startedPid(['--ignore-shutdown']);
    const { pid: grandchild } = (await registry.call('s', 'test/spawnChild', {})) as { pid: number };
    expect(isAlive(grandchild)).toBe(true);
    await registry.dispose();
    await waitFor(() => !isAlive(grandchild), 5_000, 'grandchild to exit');
  });

  test('in-flight calls end with SIDECAR_UNAVAILABLE and later calls fail fast', async () => {
    const { registry } = await startedPid();
    const pending = registry.call('s', 'test/sleep', { ms: 60_000 });
    await registry.dispose();
    expect((await rejectionOf(pending)).code).toBe('SIDECAR_UNAVAILABLE');
    const after = await rejectionOf(registry.call('s', 'test/echo', { value: 'x' }));
    expect(after.code).toBe('SIDECAR_UNAVAILABLE');
    expect(after.message).toContain('disposed');
  });

  test('stop() is not final: the next call starts a new process', async () => {
    const { registry, pid } = await startedPid();
    await registry.supervisor('s').stop();
    expect(isAlive(pid)).toBe(false);
    expect(await registry.call('s', 'test/counter', {})).toEqual({ count: 1 });
    expect(registry.supervisor('s').pid).not.toBe(pid);
  });
});
