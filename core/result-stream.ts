/**
 * The consumer side of a streamed call: an async iterable of the call's chunks with the final
 * result beside it (`for await (const c of s) …; const r = await s.result`). It starts the call
 * at once and buffers chunks until they are read, so nothing is lost between `stream()` and the
 * first `next()`. Leaving the loop early (`break`, `return`, a throw) or `cancel()` aborts the
 * call, which sends `$/cancel`; the final result then rejects with `CANCELLED`. Main never pauses
 * a sidecar's stdout (that would stall its pings too), so the buffer holds what the consumer has
 * not read yet: never more than a non-streamed call would have held as one result.
 */
import { SidecarError } from './errors';

/** A streamed call: iterate for chunks, await `result` for the final answer. */
export interface ResultStream<C, R> extends AsyncIterable<C> {
  /**
   * The final result. Rejects with the call's error (also when the iterator threw it), or with
   * `CANCELLED` when the stream was left early or cancelled. Never an unhandled rejection: read
   * it only if you need it.
   */
  readonly result: Promise<R>;
  /**
   * Stops the call as the caller's `AbortSignal` would: `$/cancel` is sent, a loop still reading
   * gets the chunks already buffered and then throws `CANCELLED`, and `result` rejects with
   * `CANCELLED`. Harmless once the call has settled.
   */
  cancel(reason?: unknown): void;
}

/** What `startResultStream` runs: the call, with the chunk callback and the signal to honour. */
export type StreamedCall<R> = (onPartial: (chunk: unknown) => void, signal: AbortSignal) => Promise<R>;

/**
 * Starts `run` and returns its stream. `signal` (the caller's) aborts it like `cancel()`. Only
 * one loop may read a stream; a second `[Symbol.asyncIterator]()` throws.
 */
export function startResultStream<C, R>(run: StreamedCall<R>, signal?: AbortSignal): ResultStream<C, R> {
  const controller = new AbortController();
  // Chunks not read yet are buffered[head..]; the read ones are dropped in bulk, so reading a
  // long backlog costs O(1) per chunk rather than a shift() each.
  let buffered: C[] = [];
  let head = 0;
  let waiting: { resolve(r: IteratorResult<C>): void; reject(e: unknown): void } | undefined;
  let settled = false;
  let failure: unknown;
  let finished = false;
  let iterated = false;

  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });

  const wake = () => {
    if (!waiting) return;
    const w = waiting;
    if (head < buffered.length) {
      waiting = undefined;
      const value = buffered[head++];
      if (head >= 1024 && head * 2 >= buffered.length) {
        buffered = buffered.slice(head);
        head = 0;
      }
      w.resolve({ value, done: false });
    } else if (settled) {
      waiting = undefined;
      finished = true;
      if (failure !== undefined) w.reject(failure);
      else w.resolve({ value: undefined, done: true });
    }
  };

  const result = run((chunk) => {
    if (finished) return;
    buffered.push(chunk as C);
    wake();
  }, controller.signal);
  result.then(
    () => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      wake();
    },
    (e: unknown) => {
      settled = true;
      failure = e ?? new SidecarError('INTERNAL', 'the call failed without an error');
      signal?.removeEventListener('abort', onAbort);
      wake();
    },
  );

  const iterator: AsyncIterator<C> = {
    next: () =>
      new Promise<IteratorResult<C>>((resolve, reject) => {
        if (waiting) {
          reject(new Error('next() called again before the previous one resolved'));
          return;
        }
        if (finished) {
          resolve({ value: undefined, done: true });
          return;
        }
        waiting = { resolve, reject };
        wake();
      }),
    return: () => {
      // The loop is done with the stream: stop the work unless it is over already.
      finished = true;
      buffered = [];
      head = 0;
      if (!settled) controller.abort(new Error('the stream was left before it ended'));
      return Promise.resolve({ value: undefined, done: true });
    },
  };

  return {
    result,
    cancel(reason?: unknown) {
      if (!settled) controller.abort(reason);
    },
    [Symbol.asyncIterator]() {
      if (iterated) throw new Error('a result stream can be iterated only once');
      iterated = true;
      return iterator;
    },
  };
}
