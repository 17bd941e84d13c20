/**
 * The connection on in-memory streams with a hand-driven clock: late answers after a burst of
 * timeouts are recognised rather than reported as unknown ids, remembered ids are eventually
 * forgotten, and error codes that only main may produce are not believed when a sidecar sends them.
 */
import { PassThrough } from 'node:stream';
import { SidecarError, type ProtocolErrorKind } from '../registry';
import { ABANDONED_TTL_MS, Connection } from '../registry/internal';
import { ManualClock } from './fixtures/manual-clock';

function setup() {
  const clock = new ManualClock();
  const fromSidecar = new PassThrough();
  const toSidecar = new PassThrough();
  const sent: { id: string; method: string; params: Record<string, unknown> }[] = [];
  let partial = '';
  toSidecar.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const l of lines) sent.push(JSON.parse(l));
  });
  const errors: { kind: ProtocolErrorKind; detail: string }[] = [];
  const conn = new Connection('t', fromSidecar, toSidecar, clock, { onProtocolError: (kind, detail) => void errors.push({ kind, detail }) });
  const answer = (msgs: unknown[]) => fromSidecar.write(msgs.map((m) => `${JSON.stringify(m)}\n`).join(''));
  return { clock, conn, sent, errors, answer };
}

const flush = () => new Promise((r) => setImmediate(r));

test('late answers after 3,000 simultaneous timeouts are recognised, not unknown ids', async () => {
  const { clock, conn, sent, errors, answer } = setup();
  const calls = Array.from({ length: 3000 }, () => conn.request('slow', {}, { timeoutMs: 1000 }).catch((e: unknown) => e));
  clock.advance(1000);
  const outcomes = await Promise.all(calls);
  expect(outcomes.every((e) => SidecarError.is(e, 'TIMEOUT'))).toBe(true);
  await flush();
  // Every request and every $/cancel sent for it is answered late.
  expect(sent.filter((m) => m.method === '$/cancel')).toHaveLength(3000);
  answer(sent.map((m) => ({ id: m.id, ok: true, result: {} })));
  await flush();
  expect(errors).toEqual([]);
  // Positive control: an id that was never sent is still reported.
  answer([{ id: 'never-sent', ok: true, result: {} }]);
  await flush();
  expect(errors.map((e) => e.kind)).toEqual(['unknown-id']);
});

test('an abandoned id is forgotten after its time to live, so memory stays bounded', async () => {
  const { clock, conn, sent, errors, answer } = setup();
  const call = conn.request('slow', {}, { timeoutMs: 10 }).catch(() => undefined);
  clock.advance(10);
  await call;
  await flush();
  clock.advance(ABANDONED_TTL_MS);
  // Abandoning another request prunes the expired ids.
  const second = conn.request('slow', {}, { timeoutMs: 10 }).catch(() => undefined);
  clock.advance(10);
  await second;
  answer([{ id: sent[0].id, ok: true, result: {} }]);
  await flush();
  expect(errors.map((e) => e.kind)).toEqual(['unknown-id']);
});

test.each(['SIDECAR_CRASHED', 'SIDECAR_UNAVAILABLE', 'TIMEOUT', 'BINARY_NOT_FOUND', 'INVALID_RESULT'])(
  'a sidecar answering with main-only code %s gets a non-retryable INTERNAL error',
  async (code) => {
    const { conn, sent, errors, answer } = setup();
    const call = conn.request('m', {}, { timeoutMs: Infinity }).catch((e: unknown) => e);
    await flush();
    answer([{ id: sent[0].id, ok: false, error: { code, message: 'claimed', data: { x: 1 } } }]);
    const e = (await call) as SidecarError;
    expect(e.code).toBe('INTERNAL');
    expect(e.retryable).toBe(false);
    expect(e.data).toEqual({ claimedCode: code, data: { x: 1 } });
    expect(errors.map((x) => x.kind)).toEqual(['invalid']);
  },
);

test('a sidecar-side code from the wire is kept as it is', async () => {
  const { conn, sent, errors, answer } = setup();
  const call = conn.request('m', {}, { timeoutMs: Infinity }).catch((e: unknown) => e);
  await flush();
  answer([{ id: sent[0].id, ok: false, error: { code: 'NOT_FOUND', message: 'gone' } }]);
  const e = (await call) as SidecarError;
  expect(e.code).toBe('NOT_FOUND');
  expect(errors).toEqual([]);
});

describe('partial answers', () => {
  test('go to the request that asked to stream, in order, before its result', async () => {
    const { conn, sent, errors, answer } = setup();
    const chunks: unknown[] = [];
    const call = conn.request('m', {}, { timeoutMs: Infinity, onPartial: (c) => chunks.push(c) });
    await flush();
    expect(sent[0]).toMatchObject({ method: 'm', stream: true });
    answer([
      { id: sent[0].id, ok: true, partial: 1 },
      { id: sent[0].id, ok: true, partial: 2 },
      { id: sent[0].id, ok: true, result: 'done' },
    ]);
    expect(await call).toBe('done');
    expect(chunks).toEqual([1, 2]);
    expect(errors).toEqual([]);
  });

  test('for an abandoned id are dropped quietly and its final answer is still expected', async () => {
    const { clock, conn, sent, errors, answer } = setup();
    const call = conn.request('m', {}, { timeoutMs: 10, onPartial: () => undefined }).catch((e: unknown) => e);
    clock.advance(10);
    expect(await call).toMatchObject({ code: 'TIMEOUT' });
    await flush();
    answer([
      { id: sent[0].id, ok: true, partial: 1 },
      { id: sent[0].id, ok: false, error: { code: 'CANCELLED', message: 'late' } },
    ]);
    await flush();
    expect(errors).toEqual([]);
    // Positive control: the final answer made the id forgotten, so another partial is unknown.
    answer([{ id: sent[0].id, ok: true, partial: 2 }]);
    await flush();
    expect(errors.map((e) => e.kind)).toEqual(['unknown-id']);
  });

  test('for a request that did not ask to stream, or with a result too, are protocol errors', async () => {
    const { conn, sent, errors, answer } = setup();
    const call = conn.request('m', {}, { timeoutMs: Infinity });
    await flush();
    expect(sent[0]).not.toHaveProperty('stream');
    answer([
      { id: sent[0].id, ok: true, partial: 1 },
      { id: sent[0].id, ok: true, partial: 1, result: 2 },
      { id: sent[0].id, ok: true, result: 'done' },
    ]);
    expect(await call).toBe('done');
    expect(errors.map((e) => e.kind)).toEqual(['invalid', 'invalid']);
  });

  test('a throwing onPartial fails the call with what it threw and sends $/cancel', async () => {
    const { conn, sent, answer } = setup();
    const bad = new SidecarError('INVALID_RESULT', 'bad chunk');
    const call = conn.request('m', {}, { timeoutMs: Infinity, onPartial: () => { throw bad; } }).catch((e: unknown) => e);
    await flush();
    answer([{ id: sent[0].id, ok: true, partial: 1 }]);
    expect(await call).toBe(bad);
    await flush();
    expect(sent[1]).toMatchObject({ method: '$/cancel', params: { id: sent[0].id } });
  });
});
