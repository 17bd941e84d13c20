/**
 * Feeds (registry/feeds.ts) with real processes: a producer on the Node kit emits `prod/changed`
 * on command and a consumer records, in order, every payload its feed method gets and every
 * resync (fixtures/feed-*.js). The tests wait on what the consumer reports (`cons/log`) or on the
 * registry's own state, never on time: in-order delivery, no cost while the consumer is not
 * started, the producer started with the consumer, a resync on each restart, rescan and gap, one
 * log line for a failing streak, a quiet dispose, and manifests whose feeds cannot work.
 */
import { LoggerToken, SidecarError, type ILogger, type ISidecarRegistry } from '../registry';
import { MAX_QUEUED } from '../registry/feeds';
import { consumerManifest, producerManifest, type EmitParams, type Entry } from './fixtures/feed-manifests';
import { makeRegistry, waitFor } from './helpers';

/** A logger that keeps the warnings and errors, so a test can tell whether the feed complained. */
function recordingLogger(): ILogger & { complaints: string[] } {
  const complaints: string[] = [];
  const keep = (m: string) => void complaints.push(m);
  return { complaints, debug: () => undefined, info: () => undefined, warn: keep, error: keep };
}

/** A registry with the producer and the consumer, and shorthands for what the tests do with them. */
function setup(opts: { delayMs?: number } = {}) {
  const logger = recordingLogger();
  const registry = makeRegistry([producerManifest(), consumerManifest(opts)], {}, (c) => c.register(LoggerToken, { useValue: logger }));
  const feed = () => registry.feeds()[0];
  const log = async () => ((await registry.call('cons', 'cons/log')) as { pid: number; entries: Entry[] }).entries;
  const emit = (params: EmitParams) => registry.call('prod', 'prod/emit', params as Record<string, unknown>);
  return { registry, logger, feed, log, emit };
}

/** Both sidecars ready and the feed idle (its start-up resyncs done); returns the log so far. */
async function running({ registry, feed, log }: ReturnType<typeof setup>): Promise<Entry[]> {
  await registry.start(['cons']);
  await waitFor(() => registry.supervisor('prod').state === 'ready' && feed().queued === 0, 15_000, 'both sidecars ready and the feed idle');
  return log();
}

/** Polls the consumer's log until it has `length` entries after `base`, and returns those. */
async function entriesAfter(log: () => Promise<Entry[]>, base: number, length: number): Promise<Entry[]> {
  let entries: Entry[] = [];
  await waitFor(async () => (entries = (await log()).slice(base)).length >= length, 15_000, `${length} entries after ${base}`);
  return entries;
}

/** `running`, then two payloads delivered (generations 1 and 2); returns the log's length before them. */
async function fedTwo(s: ReturnType<typeof setup>): Promise<number> {
  const base = (await running(s)).length;
  await s.emit({ count: 2 });
  expect(await entriesAfter(s.log, base, 2)).toEqual([1, 2]);
  return base;
}

/**
 * The feed's counters once nothing is queued or in flight. The consumer logs a payload when its
 * call arrives, before main has its answer and counts it, so counts read right after the log
 * shows an entry can still be one short.
 */
async function settled(s: ReturnType<typeof setup>) {
  await waitFor(() => s.feed().queued === 0, 15_000, 'the feed idle');
  return s.feed();
}

/** Kills the process of `name` and waits until the supervisor's next one is ready. */
async function crash(registry: ISidecarRegistry, name: string): Promise<void> {
  const old = registry.supervisor(name).pid!;
  process.kill(old, 'SIGKILL');
  await waitFor(() => registry.supervisor(name).state === 'ready' && registry.supervisor(name).pid !== old, 15_000, `${name} restarted`);
}

test('many payloads reach the consumer in order, one call at a time', async () => {
  // Each forward takes (generation % 3) × 3 ms, so overlapping calls would finish out of order.
  const s = setup({ delayMs: 3 });
  const base = (await running(s)).length;
  await s.emit({ count: 200 });
  const got = await entriesAfter(s.log, base, 200);
  expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  expect(await settled(s)).toMatchObject({ to: 'cons', from: 'prod', event: 'prod/changed', active: true, forwarded: 200, dropped: 0 });
  expect(s.logger.complaints).toEqual([]);
});

test('a consumer that is never started costs nothing: producer events neither launch it nor are listened to', async () => {
  const { registry, feed, emit } = setup();
  let seen = 0;
  registry.supervisor('prod').on('event', () => void seen++);
  await emit({ count: 5 });
  // The events precede the answer on the producer's stdout, so they have all been emitted by now.
  await waitFor(() => seen === 5, 15_000, 'five events');
  expect(registry.supervisor('cons').state).toBe('idle');
  expect(feed()).toMatchObject({ active: false, forwarded: 0, resyncs: 0, dropped: 0, queued: 0 });
});

test('starting the consumer starts the producer, and a stopped consumer is fed no more', async () => {
  const s = setup();
  const { registry } = s;
  await registry.start(['cons']);
  await waitFor(() => registry.supervisor('prod').state === 'ready', 15_000, 'the producer started by the feed');
  await running(s);
  await registry.supervisor('cons').stop();
  await waitFor(() => !s.feed().active, 15_000, 'the feed inactive');
  const before = s.feed();
  await s.emit({ count: 3 });
  // A later call of our own proves the producer's events were handled: the answer follows them.
  await s.emit({ count: 0 });
  expect(registry.supervisor('cons').state).toBe('stopped');
  expect(s.feed()).toMatchObject({ active: false, forwarded: before.forwarded, dropped: before.dropped });
});

test('a consumer that crashed and restarted is resynced before it gets payloads again', async () => {
  const s = setup();
  await fedTwo(s);
  await crash(s.registry, 'cons');
  // The new process's log starts empty: the resync must be the first thing it gets.
  expect(await entriesAfter(s.log, 0, 1)).toEqual(['resync']);
  await s.emit({ count: 2 });
  expect(await entriesAfter(s.log, 0, 3)).toEqual(['resync', 3, 4]);
});

test('a producer that crashed and restarted (a new incarnation) makes the consumer resync', async () => {
  const s = setup();
  const base = await fedTwo(s);
  await crash(s.registry, 'prod');
  expect(await entriesAfter(s.log, base, 3)).toEqual([1, 2, 'resync']);
  // The new process numbers from 1 again: that is a new sequence, not a gap.
  await s.emit({ count: 2 });
  expect(await entriesAfter(s.log, base, 5)).toEqual([1, 2, 'resync', 1, 2]);
});

test('a payload with rescan: true is replaced by a resync', async () => {
  const s = setup();
  // Delivered first, or the resync would cover them too: it drops payloads still queued.
  const base = await fedTwo(s);
  await s.emit({ rescan: true, count: 2 });
  expect(await entriesAfter(s.log, base, 5)).toEqual([1, 2, 'resync', 4, 5]);
  expect(await settled(s)).toMatchObject({ forwarded: 4, dropped: 1 });
});

test('a gap in the generations is replaced by a resync', async () => {
  const s = setup();
  const base = await fedTwo(s);
  const resyncs = s.feed().resyncs;
  // Generations 3 and 4 are skipped: 5 follows 2.
  await s.emit({ skip: 2, count: 2 });
  expect(await entriesAfter(s.log, base, 4)).toEqual([1, 2, 'resync', 6]);
  expect(await settled(s)).toMatchObject({ forwarded: 3, resyncs: resyncs + 1, dropped: 1 });
});

test('one generation sent as several payloads (a large batch in parts) is forwarded, not taken for a gap', async () => {
  const s = setup();
  const base = await fedTwo(s);
  const resyncs = s.feed().resyncs;
  await s.emit({ again: 2, count: 1 });
  expect(await entriesAfter(s.log, base, 5)).toEqual([1, 2, 2, 2, 3]);
  expect(await settled(s)).toMatchObject({ forwarded: 5, resyncs, dropped: 0 });
});

test('a consumer that falls more than MAX_QUEUED payloads behind gets a resync instead of them', async () => {
  // Generation 1 takes 300 ms: the burst arrives while it is in flight and fills the queue.
  const s = setup({ delayMs: 300 });
  const base = (await running(s)).length;
  await s.emit({ count: MAX_QUEUED + 2 });
  expect(await entriesAfter(s.log, base, 2)).toEqual([1, 'resync']);
  expect(await settled(s)).toMatchObject({ forwarded: 1, dropped: MAX_QUEUED + 1 });
});

test('a forward that fails is followed by a resync and logged once per failing streak', async () => {
  const s = setup();
  const base = (await running(s)).length;
  await s.emit({ count: 1 });
  // The consumer's schema rejects this payload (INVALID_PARAMS): the feed resyncs instead.
  await s.emit({ bad: true });
  expect(await entriesAfter(s.log, base, 2)).toEqual([1, 'resync']);
  await s.emit({ bad: true });
  expect(await entriesAfter(s.log, base, 3)).toEqual([1, 'resync', 'resync']);
  await s.emit({ count: 1 });
  expect(await entriesAfter(s.log, base, 4)).toEqual([1, 'resync', 'resync', 4]);
  expect(s.logger.complaints).toHaveLength(1);
  expect(s.logger.complaints[0]).toMatch(
    /^feed prod prod\/changed → cons: cons\/apply failed: .*invalid params: \/unknown: must NOT have additional properties$/,
  );
  expect(s.feed().lastError).toMatchObject({ code: 'INVALID_PARAMS' });
});

test('dispose stops the feed first: a forward in flight and a producer still emitting log nothing and reject nothing', async () => {
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => void rejections.push(e);
  process.on('unhandledRejection', onRejection);
  try {
    // Forwards of generations 2, 5, 8… take 400 ms: one is in flight when dispose comes.
    const s = setup({ delayMs: 200 });
    await running(s);
    await s.emit({ intervalMs: 5 });
    await waitFor(() => s.feed().forwarded >= 1 && s.feed().queued >= 2, 15_000, 'a forward in flight and one waiting');
    const forwarded = s.feed().forwarded;
    const disposing = s.registry.dispose();
    // The feed stops at once, before any sidecar has begun to stop.
    expect(s.feed().active).toBe(false);
    await disposing;
    expect(s.feed()).toMatchObject({ active: false, queued: 0, forwarded });
    expect(s.logger.complaints).toEqual([]);
    expect(rejections).toEqual([]);
  } finally {
    process.off('unhandledRejection', onRejection);
  }
});

describe('a manifest whose feed cannot work is rejected when the registry is built', () => {
  const feed = { from: 'prod', event: 'prod/changed', method: 'cons/apply', resync: 'cons/resync' };
  const prefix = '[cons] sidecar manifest "cons" is invalid: /feeds/0';
  test.each([
    ['an unregistered producer', { from: 'nope' }, ': feeds from "nope", which is not registered (registered: prod, cons)'],
    ['an event the producer does not declare', { event: 'prod/other' }, ': "prod" does not declare the event "prod/other" (declared: prod/changed)'],
    [
      'a method the consumer does not declare',
      { method: 'cons/nope' },
      ': method "cons/nope" is not declared by "cons" (has: cons/apply, cons/resync, cons/log)',
    ],
    [
      'a resync the consumer does not declare',
      { resync: 'cons/again' },
      ': method "cons/again" is not declared by "cons" (has: cons/apply, cons/resync, cons/log)',
    ],
    ['a feed without an event', { event: undefined }, "/event: must have required property 'event'"],
  ])('%s', (_what, change, problem) => {
    const build = () => makeRegistry([producerManifest(), consumerManifest({ feeds: [{ ...feed, ...change } as typeof feed] })]);
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect(SidecarError.is(error, 'INVALID_MANIFEST')).toBe(true);
    expect((error as Error).message).toBe(prefix + problem);
  });

  test('a producer that declares no events may feed any event name', () => {
    const { events: _events, ...undeclared } = producerManifest();
    const registry = makeRegistry([undeclared, consumerManifest({ feeds: [{ ...feed, event: 'prod/anything' }] })]);
    expect(registry.feeds()).toMatchObject([{ to: 'cons', from: 'prod', event: 'prod/anything', active: false }]);
  });
});
