/**
 * Streamed calls end to end through the registry and a real child process (the fake sidecar):
 * chunks arrive in order before the final result, leaving the loop or aborting sends `$/cancel`
 * and the sidecar stops sending, a sidecar that ignores `"stream"` yields no chunks and ends with
 * its result, a chunk that breaks its schema fails the call with INVALID_RESULT, and a crash
 * mid-stream rejects the loop with SIDECAR_CRASHED. The trace events show what crossed the wire.
 */
import { markdownManifest } from '../sidecars/markdown/manifest';
import { fakeManifest } from './fixtures/fake-manifest';
import { makeRegistry, nextEvent, rejectionOf, waitFor } from './helpers';

type Registry = ReturnType<typeof makeRegistry>;

/** Records what crossed the wire for the fake sidecar. */
function wire(registry: Registry) {
  const sent: Array<Record<string, unknown>> = [];
  const received: Array<Record<string, unknown>> = [];
  registry.on('trace', (t) => {
    (t.direction === 'send' ? sent : received).push(t.message as Record<string, unknown>);
  });
  const requestOf = (method: string) => sent.find((m) => m.method === method);
  return {
    sent,
    received,
    requestOf,
    partialsFor: (id: unknown) => received.filter((m) => m.id === id && 'partial' in m),
    cancelsFor: (id: unknown) => sent.filter((m) => m.method === '$/cancel' && (m.params as { id?: unknown }).id === id),
  };
}

describe('streamed calls', () => {
  test('chunks arrive in order, then the final result; the request asked to stream', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const w = wire(registry);
    const client = registry.client(fakeManifest());
    const s = client.stream('test/stream', { count: 40 });
    const seen: number[] = [];
    for await (const chunk of s) seen.push(...chunk.items);
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(await s.result).toEqual({ items: [] });
    expect(w.requestOf('test/stream')).toMatchObject({ stream: true, params: { count: 40 } });
    // Positive control: the same method unstreamed answers everything at once, without the flag.
    expect(await client.call('test/stream', { count: 3 })).toEqual({ items: [0, 1, 2] });
    expect(w.sent.filter((m) => m.method === 'test/stream')[1]).not.toHaveProperty('stream');
    expect(registry.supervisor('fake').protocolErrors).toBe(0);
  });

  test('a real Rust sidecar streams: markdown/outline chunks plus its result make the whole outline', async () => {
    const registry = makeRegistry([markdownManifest]);
    const client = registry.client(markdownManifest);
    const text = Array.from({ length: 300 }, (_, i) => `## Part ${i}\n\ntext\n`).join('\n');
    const s = client.stream('markdown/outline', { text });
    let chunks = 0;
    const headings: string[] = [];
    for await (const chunk of s) {
      chunks++;
      headings.push(...chunk.headings.map((h) => h.text));
    }
    headings.push(...(await s.result).headings.map((h) => h.text));
    expect(chunks).toBeGreaterThanOrEqual(2);
    expect(headings).toEqual(Array.from({ length: 300 }, (_, i) => `Part ${i}`));
    // Unstreamed, the same call answers everything at once.
    expect((await client.call('markdown/outline', { text })).headings).toHaveLength(300);
  });

  test('the onPartial option of call streams too', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const chunks: unknown[] = [];
    const result = await registry.call('fake', 'test/stream', { count: 3 }, { onPartial: (c) => chunks.push(c) });
    expect(chunks).toEqual([{ items: [0] }, { items: [1] }, { items: [2] }]);
    expect(result).toEqual({ items: [] });
  });

  test('leaving the loop early sends $/cancel, the sidecar stops, no chunk follows, the result is CANCELLED', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const w = wire(registry);
    const cancelled = nextEvent(registry, 'stderr', (e) => e.line.includes('cancelled after'));
    const s = registry.client(fakeManifest()).stream('test/stream', { count: 100_000, intervalMs: 2 });
    let got = 0;
    for await (const chunk of s) {
      expect(chunk.items).toEqual([got]);
      if (++got === 3) break;
    }
    expect(await rejectionOf(s.result)).toMatchObject({ code: 'CANCELLED', method: 'test/stream' });
    const id = w.requestOf('test/stream')!.id;
    expect(w.cancelsFor(id)).toHaveLength(1);
    await cancelled;
    // Answers come in order on one pipe: once this answer is in, everything the sidecar sent
    // before it is too, so the count below is final.
    const log = (await registry.call('fake', 'test/streamLog', {})) as { streams: Array<{ id: string; sent: number; cancelled: boolean }> };
    const rec = log.streams.find((r) => r.id === id)!;
    expect(rec.cancelled).toBe(true);
    expect(rec.sent).toBeLessThan(100_000);
    expect(w.partialsFor(id)).toHaveLength(rec.sent);
    // Chunks that crossed the $/cancel are late answers, not protocol errors.
    expect(registry.supervisor('fake').protocolErrors).toBe(0);
  });

  test('an AbortSignal cancels a stream: the loop throws CANCELLED and $/cancel is sent', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const w = wire(registry);
    const controller = new AbortController();
    const s = registry.stream('fake', 'test/stream', { count: 100_000, intervalMs: 2 }, { signal: controller.signal });
    const e = await rejectionOf(
      (async () => {
        let got = 0;
        for await (const _ of s) if (++got === 2) controller.abort(new Error('user pressed escape'));
      })(),
    );
    expect(e).toMatchObject({ code: 'CANCELLED' });
    expect(await rejectionOf(s.result)).toBe(e);
    await waitFor(() => w.cancelsFor(w.requestOf('test/stream')!.id).length === 1, 15_000, '$/cancel');
  });

  test('a sidecar that ignores "stream" yields no chunk; the loop ends with the whole result', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const w = wire(registry);
    const s = registry.client(fakeManifest()).stream('test/streamIgnored', { count: 3 });
    const chunks: unknown[] = [];
    for await (const chunk of s) chunks.push(chunk);
    expect(chunks).toEqual([]);
    expect(await s.result).toEqual({ items: [0, 1, 2] });
    expect(w.requestOf('test/streamIgnored')).toMatchObject({ stream: true });
  });

  test('a method whose manifest declares no partial schema is called without "stream"', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const w = wire(registry);
    const s = registry.stream('fake', 'test/streamUndeclared', { count: 2 });
    const chunks: unknown[] = [];
    for await (const chunk of s) chunks.push(chunk);
    expect(chunks).toEqual([]);
    expect(await s.result).toEqual({ items: [0, 1] });
    expect(w.requestOf('test/streamUndeclared')).not.toHaveProperty('stream');
  });

  test('a chunk that breaks its schema fails the call with INVALID_RESULT and cancels it', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const w = wire(registry);
    const s = registry.stream('fake', 'test/stream', { count: 100_000, intervalMs: 2, badAt: 2 });
    const seen: unknown[] = [];
    const e = await rejectionOf(
      (async () => {
        for await (const chunk of s) seen.push(chunk);
      })(),
    );
    expect(e).toMatchObject({ code: 'INVALID_RESULT', method: 'test/stream', data: { partial: true } });
    expect(e.message).toContain('/items/0');
    expect(seen).toEqual([{ items: [0] }, { items: [1] }]);
    expect(await rejectionOf(s.result)).toBe(e);
    await waitFor(() => w.cancelsFor(w.requestOf('test/stream')!.id).length === 1, 15_000, '$/cancel');
  });

  test('a crash mid-stream rejects the loop with SIDECAR_CRASHED after the chunks that came', async () => {
    const registry = makeRegistry([fakeManifest()]);
    // test/stream is not idempotent; make it so to prove a stream that delivered chunks is never retried.
    const manifest = fakeManifest('retry');
    manifest.methods['test/stream'].idempotent = true;
    const both = makeRegistry([manifest]);
    for (const [r, name] of [
      [registry, 'fake'],
      [both, 'retry'],
    ] as const) {
      const s = r.stream(name, 'test/stream', { count: 10, crashAt: 3 });
      const seen: unknown[] = [];
      const e = await rejectionOf(
        (async () => {
          for await (const chunk of s) seen.push(chunk);
        })(),
      );
      expect(e).toMatchObject({ code: 'SIDECAR_CRASHED', exitCode: 9 });
      expect(e.stderrTail.join('\n')).toContain('crashing mid-stream after 3 chunks');
      expect(seen).toEqual([{ items: [0] }, { items: [1] }, { items: [2] }]);
      await expect(s.result).rejects.toBe(e);
    }
  });

  test('a stream is read by one loop only', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const s = registry.stream('fake', 'test/stream', { count: 1 });
    const seen: unknown[] = [];
    for await (const chunk of s) seen.push(chunk);
    expect(seen).toEqual([{ items: [0] }]);
    expect(() => s[Symbol.asyncIterator]()).toThrow('only once');
    expect(await s.result).toEqual({ items: [] });
  });
});
