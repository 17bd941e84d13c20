/**
 * The connection on in-memory streams with a hand-driven clock: late answers after a burst of
 * timeouts are recognised rather than reported as unknown ids, remembered ids are eventually
 * forgotten, and error codes that only main may produce are not believed when a sidecar sends them.
 */
import { PassThrough } from 'node:stream';
import { ABANDONED_TTL_MS, Connection, SidecarError, type ProtocolErrorKind } from '../registry';
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
