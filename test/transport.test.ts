/**
 * The transport pieces on in-memory streams: line splitting across chunk boundaries, CRLF,
 * blank lines, parse errors, oversized lines discarded without stopping the reader, backoff
 * arithmetic, and a writer that waits for `drain` instead of over-filling a slow pipe.
 */
import { PassThrough, Writable } from 'node:stream';
import { DEFAULT_SUPERVISOR_OPTIONS } from '../registry';
import { backoffDelay, CrashWindow, MessageWriter, readMessages } from '../registry/internal';

function collect(maxLineBytes?: number) {
  const stream = new PassThrough();
  const got = { values: [] as unknown[], parseErrors: [] as string[], tooLong: 0, closed: false };
  readMessages(
    stream,
    {
      onValue: (v) => void got.values.push(v),
      onParseError: (line) => void got.parseErrors.push(line),
      onLineTooLong: () => void got.tooLong++,
      onClose: () => void (got.closed = true),
    },
    maxLineBytes,
  );
  return { stream, got };
}

test('lines split across chunks, CRLF and blank lines are handled', () => {
  const { stream, got } = collect();
  stream.write('{"a":');
  stream.write('1}\n{"b":2}\r\n\n{"c"');
  stream.write(':"é"}\n');
  expect(got.values).toEqual([{ a: 1 }, { b: 2 }, { c: 'é' }]);
  expect(got.parseErrors).toEqual([]);
});

test('a multi-byte character split between chunks survives', () => {
  const { stream, got } = collect();
  const bytes = Buffer.from('{"k":"ü€"}\n');
  stream.write(bytes.subarray(0, 8));
  stream.write(bytes.subarray(8));
  expect(got.values).toEqual([{ k: 'ü€' }]);
});

test('a non-JSON line is reported and reading goes on', () => {
  const { stream, got } = collect();
  stream.write('not json\n{"ok":true}\n');
  expect(got.parseErrors).toEqual(['not json']);
  expect(got.values).toEqual([{ ok: true }]);
});

test('an oversized line is reported once, discarded, and the next line is read', () => {
  const { stream, got } = collect(16);
  stream.write('{"x":"');
  stream.write('a'.repeat(40));
  stream.write('a'.repeat(40));
  stream.write('"}\n{"next":1}\n');
  expect(got.tooLong).toBe(1);
  expect(got.values).toEqual([{ next: 1 }]);
});

test('end of stream is reported', async () => {
  const { stream, got } = collect();
  stream.end();
  await new Promise((r) => setImmediate(r));
  expect(got.closed).toBe(true);
});

test('the writer queues while the pipe is full and flushes in order on drain', async () => {
  const chunks: string[] = [];
  let release: (() => void) | undefined;
  const slow = new Writable({
    highWaterMark: 8,
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      release = cb;
    },
  });
  const writer = new MessageWriter(slow);
  writer.write({ n: 1 });
  writer.write({ n: 2 });
  writer.write({ n: 3 });
  expect(writer.queued).toBe(2);
  while (chunks.join('').split('\n').length < 4) {
    const r = release;
    release = undefined;
    r?.();
    await new Promise((res) => setImmediate(res));
  }
  expect(chunks.join('')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
  expect(writer.queued).toBe(0);
});

test('backoff uses full jitter under an exponential, capped ceiling', () => {
  const p = { ...DEFAULT_SUPERVISOR_OPTIONS.restart, baseDelayMs: 100, maxDelayMs: 1000 };
  expect(backoffDelay(p, 0, 0.999)).toBe(99);
  expect(backoffDelay(p, 2, 0.5)).toBe(200);
  expect(backoffDelay(p, 10, 0.5)).toBe(500);
  expect(backoffDelay(p, 3, 0)).toBe(0);
});

test('the crash window forgets crashes older than windowMs', () => {
  const w = new CrashWindow({ ...DEFAULT_SUPERVISOR_OPTIONS.restart, maxCrashes: 3, windowMs: 1000 });
  w.record(0);
  w.record(500);
  expect(w.exhausted()).toBe(false);
  expect(w.record(1200)).toBe(2);
  expect(w.record(1300)).toBe(3);
  expect(w.exhausted()).toBe(true);
  w.reset();
  expect(w.count).toBe(0);
});

test('a line over the limit that arrives whole in one chunk is refused too', () => {
  const { stream, got } = collect(4096);
  stream.write(`{"x":"${'a'.repeat(20_000)}"}\n{"next":1}\n`);
  expect(got.tooLong).toBe(1);
  expect(got.values).toEqual([{ next: 1 }]);
});

test('a line over the limit completed by its last chunk is refused', () => {
  const { stream, got } = collect(4096);
  stream.write(`{"x":"${'a'.repeat(3000)}`);
  stream.write(`${'a'.repeat(3000)}"}\n{"next":1}\n`);
  expect(got.tooLong).toBe(1);
  expect(got.values).toEqual([{ next: 1 }]);
});
