/**
 * Faults found by trying to break the supervisor (issue 9): health checks that survive an error
 * answer to `$/ping`, calls made during `stop()` and `dispose()`, a sidecar that closes its stdout
 * while alive, one that claims main's own crash code, a flood of garbage lines (counted, but logged at a bounded rate), a shutdown
 * bounded by the app's deadline, and the health snapshot an app shows.
 */
import { ClockToken, LoggerToken, NullLogger } from '../registry';
import { fakeManifest } from './fixtures/fake-manifest';
import { TrackingClock } from './fixtures/manual-clock';
import { isAlive, makeRegistry, nextEvent, rejectionOf, waitFor } from './helpers';

function capturingLogger() {
  const warnings: string[] = [];
  return { warnings, logger: Object.assign(new NullLogger(), { warn: (m: string) => void warnings.push(m) }) };
}

test('an error answer to a health-check ping does not stop the checks: a later hang is found', async () => {
  const registry = makeRegistry([fakeManifest('p', { flags: ['--fail-pings', '1'], supervisor: { pingIntervalMs: 100, pingTimeoutMs: 500 } })]);
  await registry.start();
  const failed = nextEvent(registry, 'stderr', (e) => e.line.includes('failing a ping'));
  await failed;
  const e = await rejectionOf(registry.call('p', 'test/hang', {}, { timeoutMs: 20_000 }));
  expect(e.code).toBe('SIDECAR_CRASHED');
  expect(e.message).toContain('stopped answering $/ping');
});

test('a call made while dispose() runs fails at once, and no timer is left afterwards', async () => {
  const clock = new TrackingClock();
  const registry = makeRegistry([fakeManifest('d', { flags: ['--ignore-shutdown'], supervisor: { shutdownGraceMs: 500 } })], {}, (c) =>
    c.register(ClockToken, { useValue: clock }),
  );
  await registry.start();
  const inFlight = registry.call('d', 'test/sleep', { ms: 60_000 }).catch((err: unknown) => err);
  const disposed = registry.dispose();
  let settledFirst = false;
  const during = registry.call('d', 'test/echo', { value: 'x' }, { timeoutMs: 60_000 }).catch((err: unknown) => {
    settledFirst = true;
    return err;
  });
  await disposed;
  expect(settledFirst).toBe(true);
  expect(await during).toMatchObject({ code: 'SIDECAR_UNAVAILABLE' });
  expect(await inFlight).toMatchObject({ code: 'SIDECAR_UNAVAILABLE' });
  expect(clock.pending).toBe(0);
  expect(clock.keepAliveTimers).toBe(0);
});

test('a call made while stop() runs is served by a new process once the stop is done', async () => {
  const registry = makeRegistry([fakeManifest('s', { flags: ['--ignore-shutdown'], supervisor: { shutdownGraceMs: 300 } })]);
  await registry.start();
  const oldPid = registry.supervisor('s').pid!;
  const stopped = registry.supervisor('s').stop();
  const during = registry.call('s', 'test/pid', {}, { timeoutMs: 20_000 });
  await stopped;
  const { pid } = (await during) as { pid: number };
  expect(pid).not.toBe(oldPid);
  expect(isAlive(oldPid)).toBe(false);
});

test('a live sidecar that closes its stdout is treated as crashed at once, without pings', async () => {
  const registry = makeRegistry([fakeManifest('eof', { supervisor: { pingIntervalMs: 0 } })]);
  await registry.start();
  const pid = registry.supervisor('eof').pid!;
  const crash = nextEvent(registry, 'crash');
  const e = await rejectionOf(registry.call('eof', 'test/closeStdout', {}, { timeoutMs: 20_000 }));
  expect(e.code).toBe('SIDECAR_CRASHED');
  expect((await crash).reason).toContain('closed its stdout');
  await waitFor(() => !isAlive(pid), 5_000, 'the old process to go');
  await waitFor(() => registry.supervisor('eof').state === 'ready');
  expect(registry.health()[0]).toMatchObject({ restarts: 1, crashesInWindow: 1, lastExit: { signal: 'SIGKILL', expected: false } });
});

test('an idempotent call answered with SIDECAR_CRASHED from the wire is not retried: INTERNAL, run once', async () => {
  const registry = makeRegistry([fakeManifest('liar')]);
  const e = await rejectionOf(registry.call('liar', 'test/claimCrash', {}));
  expect(e).toMatchObject({ code: 'INTERNAL', retryable: false, data: { claimedCode: 'SIDECAR_CRASHED' } });
  expect(await registry.call('liar', 'test/counter', {})).toEqual({ count: 2 });
  expect(registry.health()[0].restarts).toBe(0);
});

test('10,000 garbage lines are all counted but only a few are logged, plus one summary', async () => {
  const { warnings, logger } = capturingLogger();
  const registry = makeRegistry([fakeManifest('g')], {}, (c) => c.register(LoggerToken, { useValue: logger }));
  expect(await registry.call('g', 'test/garbageFlood', { lines: 10_000 })).toEqual({ lines: 10_000 });
  expect(registry.supervisor('g').protocolErrors).toBe(10_000);
  await registry.dispose();
  const logged = warnings.filter((w) => w.startsWith('protocol error'));
  expect(logged.length).toBeGreaterThan(0);
  expect(logged.length).toBeLessThanOrEqual(10);
  expect(warnings).toContain(`${10_000 - logged.length} more protocol errors within 10000 ms were not logged`);
});

test('dispose({ deadlineMs }) bounds the shutdown of a sidecar that ignores $/shutdown and SIGTERM', async () => {
  const registry = makeRegistry([
    fakeManifest('stubborn', { flags: ['--ignore-shutdown', '--ignore-sigterm'], supervisor: { shutdownGraceMs: 10_000 } }),
  ]);
  await registry.start();
  const pid = registry.supervisor('stubborn').pid!;
  const started = Date.now();
  await registry.dispose({ deadlineMs: 200 });
  // Without the deadline this takes two grace periods (20 s) before SIGKILL.
  expect(Date.now() - started).toBeLessThan(8_000);
  await waitFor(() => !isAlive(pid), 5_000, 'the sidecar to be killed');
});

test('health() reports in-flight and queued calls, crashes, restarts and the last exit', async () => {
  const registry = makeRegistry([fakeManifest('h')]);
  expect(registry.health()).toEqual([{ name: 'h', state: 'idle', inFlight: 0, queued: 0, crashesInWindow: 0, restarts: 0, protocolErrors: 0 }]);
  const queued = registry.call('h', 'test/sleep', { ms: 10_000 }).catch(() => undefined);
  expect(registry.health()[0]).toMatchObject({ state: 'starting', queued: 1, inFlight: 0 });
  await waitFor(() => registry.health()[0].inFlight === 1, 15_000, 'the call to be sent');
  const crashed = rejectionOf(registry.call('h', 'test/exit', { code: 3 }));
  expect((await crashed).code).toBe('SIDECAR_CRASHED');
  await queued;
  const h = registry.supervisor('h').health();
  expect(h).toMatchObject({ crashesInWindow: 1, restarts: 1, lastExit: { code: 3, signal: null, expected: false } });
  expect(h.lastExit!.reason).toContain('code 3');
});
