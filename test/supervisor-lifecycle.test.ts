/**
 * Supervisor lifecycle as a caller observes it: lazy and eager start, calls queued while starting
 * (and the queue's bound), crashes rejecting in-flight calls with exit details and stderr, restarts
 * with backoff, the crash window ending in `failed` until `restart()`, the window's reset after a
 * healthy run, and the retry-once rule for idempotent methods.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SidecarState } from '../registry';
import { fakeManifest } from './fixtures/fake-manifest';
import { makeRegistry, nextEvent, rejectionOf, waitFor } from './helpers';

describe('supervisor lifecycle', () => {
  test('starts lazily on the first call, passing through starting to ready', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const states: SidecarState[] = [];
    registry.on('stateChange', (e) => void states.push(e.to));
    expect(registry.supervisor('fake').state).toBe('idle');
    await registry.call('fake', 'test/echo', { value: 'hi' });
    await waitFor(() => states.includes('ready'));
    expect(states).toEqual(['starting', 'ready']);
  });

  test('start() starts eagerly', async () => {
    const registry = makeRegistry([fakeManifest()]);
    await registry.start();
    expect(registry.supervisor('fake').state).toBe('ready');
    expect(registry.supervisor('fake').pid).toEqual(expect.any(Number));
  });

  test('calls made while starting wait and all succeed; the queue is bounded', async () => {
    const registry = makeRegistry([fakeManifest('bounded', { supervisor: { maxQueuedCalls: 3 } })]);
    const calls = [1, 2, 3].map((i) => registry.call('bounded', 'test/echo', { value: `v${i}` }));
    const overflow = await rejectionOf(registry.call('bounded', 'test/echo', { value: 'v4' }));
    expect(overflow.code).toBe('SIDECAR_UNAVAILABLE');
    expect(overflow.retryable).toBe(true);
    expect(await Promise.all(calls)).toEqual([{ value: 'v1' }, { value: 'v2' }, { value: 'v3' }]);
  });

  test('a crash rejects every in-flight call at once with exit details and stderr, then restarts', async () => {
    const registry = makeRegistry([fakeManifest()]);
    await registry.start();
    const firstPid = registry.supervisor('fake').pid;
    const restarted = nextEvent(registry, 'restart');
    const slow = registry.call('fake', 'test/sleep', { ms: 60_000 });
    const crash = registry.call('fake', 'test/crash', {});
    const [e1, e2] = await Promise.all([rejectionOf(slow), rejectionOf(crash)]);
    for (const e of [e1, e2]) {
      expect(e.code).toBe('SIDECAR_CRASHED');
      expect(e.retryable).toBe(true);
      expect(e.exitCode).toBe(1);
      expect(e.stderrTail.join('\n')).toContain('about to crash');
      expect(e.message).toContain('about to crash');
    }
    expect(e1.method).toBe('test/sleep');
    expect((await restarted).attempt).toBe(1);
    // A fresh process serves the next call.
    expect(await registry.call('fake', 'test/counter', {})).toEqual({ count: 1 });
    expect(registry.supervisor('fake').pid).not.toBe(firstPid);
  });

  test('an exit with a code is reported with that code', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const crashEvent = nextEvent(registry, 'crash');
    const e = await rejectionOf(registry.call('fake', 'test/exit', { code: 5 }));
    expect(e).toMatchObject({ code: 'SIDECAR_CRASHED', exitCode: 5, signal: null });
    expect(e.message).toContain('code 5');
    expect((await crashEvent).stderrTail).toContain('fake: exiting with code 5');
  });

  test('too many crashes in the window end in failed; calls fail fast until restart()', async () => {
    let flags = ['--crash-on-start'];
    const manifest = fakeManifest('flaky', { restart: { maxCrashes: 3, windowMs: 60_000 } });
    manifest.launch = () => ({ args: ['--name', 'flaky', ...flags] });
    const registry = makeRegistry([manifest]);
    const failed = nextEvent(registry, 'failed');
    const e = await rejectionOf(registry.start());
    expect(e.code).toBe('SIDECAR_UNAVAILABLE');
    expect(e.stderrTail).toContain('flaky: refusing to start (--crash-on-start)');
    expect(await failed).toMatchObject({ sidecar: 'flaky', crashes: 3 });
    expect(registry.supervisor('flaky').state).toBe('failed');
    const fast = await rejectionOf(registry.call('flaky', 'test/echo', { value: 'x' }));
    expect(fast.code).toBe('SIDECAR_UNAVAILABLE');
    expect(fast.message).toContain('restart()');
    flags = [];
    await registry.supervisor('flaky').restart();
    expect(await registry.call('flaky', 'test/echo', { value: 'back' })).toEqual({ value: 'back' });
  });

  test('restart policy "never" goes to failed on the first crash', async () => {
    const registry = makeRegistry([fakeManifest('once', { restart: { policy: 'never' } })]);
    await rejectionOf(registry.call('once', 'test/exit', { code: 3 }));
    await waitFor(() => registry.supervisor('once').state === 'failed');
  });

  test('a healthy run clears the crash window', async () => {
    const registry = makeRegistry([fakeManifest('healing', { restart: { maxCrashes: 2, windowMs: 60_000, healthyAfterMs: 300 } })]);
    const sup = registry.supervisor('healing');
    const attempts: number[] = [];
    registry.on('restart', (e) => void attempts.push(e.attempt));
    await rejectionOf(registry.call('healing', 'test/exit', { code: 1 }));
    await waitFor(() => sup.state === 'ready', 15_000, 'first restart');
    // Staying ready longer than healthyAfterMs is the condition under test: Node fires the
    // supervisor's earlier-due timer before this one, so the crash history is cleared by then.
    await new Promise((r) => setTimeout(r, 400));
    await rejectionOf(registry.call('healing', 'test/exit', { code: 1 }));
    await waitFor(() => attempts.length === 2, 15_000, 'second restart');
    expect(attempts).toEqual([1, 1]);
    await waitFor(() => sup.state === 'ready', 15_000, 'ready after the second crash');
    expect(await registry.call('healing', 'test/echo', { value: 'still here' })).toEqual({ value: 'still here' });
  });

  test('without a healthy run the same two crashes mean failed', async () => {
    const registry = makeRegistry([fakeManifest('brittle', { restart: { maxCrashes: 2, windowMs: 60_000, healthyAfterMs: 60_000 } })]);
    const sup = registry.supervisor('brittle');
    await rejectionOf(registry.call('brittle', 'test/exit', { code: 1 }));
    await waitFor(() => sup.state === 'ready');
    await rejectionOf(registry.call('brittle', 'test/exit', { code: 1 }));
    await waitFor(() => sup.state === 'failed');
  });

  test('an idempotent method is retried once after the restart; others are not', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-retry-'));
    try {
      const registry = makeRegistry([fakeManifest()]);
      const ok = await registry.call('fake', 'test/crashOnce', { marker: path.join(dir, 'a') });
      expect(ok).toEqual({ value: 'after restart' });
      const e = await rejectionOf(registry.call('fake', 'test/crashOnceUnsafe', { marker: path.join(dir, 'b') }));
      expect(e.code).toBe('SIDECAR_CRASHED');
      expect(e.exitCode).toBe(7);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
