/**
 * What a single call can run into: per-call and per-method timeouts (which also send `$/cancel`),
 * cancellation through an AbortSignal, a hung sidecar found by `$/ping` and restarted, and stdout
 * that breaks the protocol (garbage, stray ids, oversized lines) without taking main down.
 */
import { fakeManifest } from './fixtures/fake-manifest';
import { makeRegistry, nextEvent, rejectionOf, waitFor } from './helpers';

/** Collects the `$/cancel` requests main sends, from the trace events. */
function cancelsSent(registry: ReturnType<typeof makeRegistry>): Array<{ id: string }> {
  const sent: Array<{ id: string }> = [];
  registry.on('trace', (t) => {
    const m = t.message as { method?: string; params?: { id: string } };
    if (t.direction === 'send' && m.method === '$/cancel' && m.params) sent.push(m.params);
  });
  return sent;
}

describe('calls', () => {
  test('a per-call timeout rejects with TIMEOUT and sends $/cancel; the sidecar keeps serving', async () => {
    const registry = makeRegistry([fakeManifest()]);
    await registry.start();
    const cancels = cancelsSent(registry);
    const e = await rejectionOf(registry.call('fake', 'test/sleep', { ms: 60_000 }, { timeoutMs: 150 }));
    expect(e).toMatchObject({ code: 'TIMEOUT', retryable: true, sidecar: 'fake', method: 'test/sleep' });
    await waitFor(() => cancels.length === 1, 15_000, '$/cancel');
    expect(await registry.call('fake', 'test/echo', { value: 'alive' })).toEqual({ value: 'alive' });
    expect(registry.supervisor('fake').protocolErrors).toBe(0);
  });

  test('the manifest sets a method default timeout', async () => {
    const manifest = fakeManifest();
    manifest.methods['test/sleep'].timeoutMs = 150;
    const registry = makeRegistry([manifest]);
    await registry.start();
    const e = await rejectionOf(registry.call('fake', 'test/sleep', { ms: 60_000 }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.data).toEqual({ timeoutMs: 150 });
  });

  test('an AbortSignal cancels with CANCELLED and sends $/cancel', async () => {
    const registry = makeRegistry([fakeManifest()]);
    await registry.start();
    const cancels = cancelsSent(registry);
    const controller = new AbortController();
    const sent = nextEvent(registry, 'trace', (t) => (t.message as { method?: string }).method === 'test/sleep');
    const call = registry.call('fake', 'test/sleep', { ms: 60_000 }, { signal: controller.signal });
    await sent;
    controller.abort(new Error('user pressed escape'));
    const e = await rejectionOf(call);
    expect(e).toMatchObject({ code: 'CANCELLED', retryable: false });
    await waitFor(() => cancels.length === 1, 15_000, '$/cancel');
  });

  test('a call that times out while the sidecar is still starting says so', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const e = await rejectionOf(registry.call('fake', 'test/echo', { value: 'x' }, { timeoutMs: 0 }));
    expect(e).toMatchObject({ code: 'TIMEOUT', data: { timeoutMs: 0 } });
    expect(e.message).toContain('not ready in time');
  });

  test('an already aborted signal rejects without sending anything', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const e = await rejectionOf(registry.call('fake', 'test/echo', { value: 'x' }, { signal: AbortSignal.abort() }));
    expect(e.code).toBe('CANCELLED');
    expect(registry.supervisor('fake').pid).toBeUndefined();
  });

  test('a sidecar that ignores cancellation still lets the caller go; its late answer is not an error', async () => {
    const registry = makeRegistry([fakeManifest()]);
    await registry.start();
    const late = nextEvent(registry, 'trace', (t) => t.direction === 'recv' && (t.message as { result?: { slept?: number } }).result?.slept === 300);
    const e = await rejectionOf(registry.call('fake', 'test/ignoreCancel', { ms: 300 }, { timeoutMs: 50 }));
    expect(e.code).toBe('TIMEOUT');
    await late;
    expect(registry.supervisor('fake').protocolErrors).toBe(0);
  });

  test('a hung sidecar (no $/ping answers) is killed and restarted', async () => {
    const registry = makeRegistry([fakeManifest('hung', { supervisor: { pingIntervalMs: 100, pingTimeoutMs: 400 } })]);
    await registry.start();
    const firstPid = registry.supervisor('hung').pid;
    const crash = nextEvent(registry, 'crash');
    const e = await rejectionOf(registry.call('hung', 'test/hang', {}, { timeoutMs: 60_000 }));
    expect(e.code).toBe('SIDECAR_CRASHED');
    expect(e.message).toContain('stopped answering $/ping');
    expect(e.signal).toBe('SIGKILL');
    expect((await crash).stderrTail).toContain('hung: hanging');
    await waitFor(() => registry.supervisor('hung').state === 'ready');
    expect(registry.supervisor('hung').pid).not.toBe(firstPid);
    expect(await registry.call('hung', 'test/echo', { value: 'recovered' })).toEqual({ value: 'recovered' });
  });

  test('a slow call is not mistaken for a hang', async () => {
    const registry = makeRegistry([fakeManifest('slow', { supervisor: { pingIntervalMs: 50, pingTimeoutMs: 400 } })]);
    expect(await registry.call('slow', 'test/sleep', { ms: 1000 })).toEqual({ slept: 1000 });
    expect(registry.supervisor('slow').state).toBe('ready');
  });

  test('a non-JSON stdout line is a protocol error event, not a crash', async () => {
    const registry = makeRegistry([fakeManifest()]);
    await registry.start();
    const pid = registry.supervisor('fake').pid;
    const event = nextEvent(registry, 'protocolError');
    expect(await registry.call('fake', 'test/garbage', {})).toEqual({ wrote: 'garbage' });
    expect(await event).toMatchObject({ sidecar: 'fake', kind: 'parse' });
    expect((await event).detail).toContain('this is not json');
    expect(registry.supervisor('fake').protocolErrors).toBe(1);
    expect(registry.supervisor('fake').pid).toBe(pid);
  });

  test('a response with an unknown id is a protocol error event', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const event = nextEvent(registry, 'protocolError');
    expect(await registry.call('fake', 'test/unknownId', {})).toEqual({ wrote: 'stray response' });
    expect(await event).toMatchObject({ kind: 'unknown-id' });
  });

  test('a stdout line over the limit kills and restarts the sidecar', async () => {
    const registry = makeRegistry([fakeManifest('big', { supervisor: { maxLineBytes: 64 * 1024 } })]);
    await registry.start();
    const pid = registry.supervisor('big').pid;
    const e = await rejectionOf(registry.call('big', 'test/hugeLine', { bytes: 256 * 1024 }));
    expect(e.code).toBe('SIDECAR_CRASHED');
    expect(e.message).toContain('over 65536 bytes');
    await waitFor(() => registry.supervisor('big').state === 'ready');
    expect(registry.supervisor('big').pid).not.toBe(pid);
  });

  test('a large result under the limit arrives intact', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const result = (await registry.call('fake', 'test/huge', { bytes: 8 * 1024 * 1024 })) as { data: string };
    expect(result.data.length).toBe(8 * 1024 * 1024);
  });
});
