/**
 * `startResultStream` on its own, with a hand-driven call: a backlog of chunks buffered before the
 * loop starts comes out whole and in order, chunks buffered before a failure are yielded before
 * the loop throws it, and leaving the loop aborts the call's signal.
 */
import { SidecarError } from '../registry';
import { startResultStream } from '../registry/internal';

/** A call the test settles by hand; `push` hands it chunks. */
function handCall<R>() {
  let push!: (chunk: unknown) => void;
  let signal!: AbortSignal;
  let settle!: { resolve(r: R): void; reject(e: unknown): void };
  const s = startResultStream<number, R>((onPartial, abort) => {
    push = onPartial;
    signal = abort;
    return new Promise<R>((resolve, reject) => (settle = { resolve, reject }));
  });
  return { s, push, signal, settle };
}

test('a backlog buffered before the loop starts comes out whole and in order', async () => {
  const { s, push, settle } = handCall<string>();
  for (let i = 0; i < 5000; i++) push(i);
  settle.resolve('done');
  const seen: number[] = [];
  for await (const c of s) seen.push(c);
  expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  expect(await s.result).toBe('done');
});

test('chunks that came before a failure are yielded, then the loop throws it; leaving early aborts', async () => {
  const { s, push, settle } = handCall<string>();
  push(1);
  push(2);
  const crash = new SidecarError('SIDECAR_CRASHED', 'gone');
  settle.reject(crash);
  const seen: number[] = [];
  await expect(
    (async () => {
      for await (const c of s) seen.push(c);
    })(),
  ).rejects.toBe(crash);
  expect(seen).toEqual([1, 2]);
  await expect(s.result).rejects.toBe(crash);

  const second = handCall<string>();
  second.push(7);
  for await (const c of second.s) {
    expect(c).toBe(7);
    break;
  }
  expect(second.signal.aborted).toBe(true);
});
