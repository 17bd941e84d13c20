/**
 * Feeds: one sidecar's events passed to another sidecar's method, as manifests declare them
 * (`FeedSpec` in manifest.ts; `registry.feeds()` reports them). The registry knows no sidecar by
 * name: a feed is driven only by the two supervisors' lifecycle events and the registry's
 * validated call path. The rules, and why:
 * - A feed is active only while its consumer runs (starting, ready, or backing off to restart), so
 *   a consumer that is never used costs nothing: the producer is not even listened to, and no
 *   payload ever launches the consumer. When the consumer starts, the producer is started too.
 * - Payloads go to the consumer's method in order, one call at a time (a queue per feed).
 * - A resync (the consumer's `resync` method, params `{}`) replaces what may have been missed:
 *   after the consumer is ready, after the producer is ready again (a new incarnation), for a
 *   payload with `rescan: true` or whose numeric `generation` is neither the previous one (the
 *   rest of a batch sent in parts) nor the previous one + 1, and
 *   after a failed call, and when more than `MAX_QUEUED` payloads wait (a consumer that cannot
 *   keep up). Payloads still queued when it is requested are dropped: it covers them.
 * - Failures are recorded and logged once per streak, never thrown: a crashed consumer gets its
 *   resync when it is back, so a crash costs one resync, not a storm of errors.
 */
import { SidecarError } from '../core/errors';
import { DisposableStore, type Disposable } from '../core/events';
import type { ILogger } from '../core/logger';
import type { ISupervisor, SidecarState } from '../core/supervisor/contract';
import type { FeedStatus } from './contract';
import type { FeedSpec, SidecarManifest } from './manifest';

/** What feeds need from the registry: the supervisors, and the call path (validated as any call). */
export interface FeedHost {
  supervisor(name: string): ISupervisor;
  call(sidecar: string, method: string, params: Record<string, unknown>): Promise<unknown>;
  logger: ILogger;
}

/** One unit of work of a feed's queue: a payload to forward, or a resync. */
type Item = { kind: 'forward'; payload: Record<string, unknown> } | { kind: 'resync'; reason: string };

/** Payloads that may wait for a consumer with a resync method; one more is replaced by a resync. */
export const MAX_QUEUED = 1000;

/** States in which the consumer runs or is about to run again: the feed is active in these. */
const RUNNING: ReadonlySet<SidecarState> = new Set(['starting', 'ready', 'backoff']);

/** Every feed the manifests declare. */
export class Feeds implements Disposable {
  private readonly feeds: Feed[];

  constructor(manifests: SidecarManifest[], host: FeedHost) {
    this.feeds = manifests.flatMap((m) => (m.feeds ?? []).map((spec) => new Feed(m.name, spec, host)));
  }

  status(): FeedStatus[] {
    return this.feeds.map((f) => f.status());
  }

  dispose(): void {
    for (const f of this.feeds) f.dispose();
  }
}

/** One feed: `spec.from`'s `spec.event` into `to`'s `spec.method`. */
class Feed implements Disposable {
  private readonly lifetime = new DisposableStore();
  /** Subscriptions to the producer while the feed is active; a new object per activation. */
  private session?: DisposableStore;
  private queue: Item[] = [];
  /** True while the queue runs; its current item has been taken off `queue`. */
  private pumping = false;
  private lastGeneration?: number;
  /** A forward or resync failed: the next payload is replaced by a resync. */
  private stale = false;
  /** A failure was logged and no forward has succeeded since: further failures are not logged. */
  private failing = false;
  private disposed = false;
  private readonly counts = { forwarded: 0, resyncs: 0, dropped: 0 };
  private lastError?: FeedStatus['lastError'];

  constructor(
    private readonly to: string,
    private readonly spec: FeedSpec,
    private readonly host: FeedHost,
  ) {
    this.lifetime.add(this.consumer.on('stateChange', (e) => this.onConsumer(e.to)));
  }

  status(): FeedStatus {
    const { from, event, method, resync } = this.spec;
    const queued = this.queue.length + (this.pumping ? 1 : 0);
    return { to: this.to, from, event, method, resync, active: this.session !== undefined, ...this.counts, queued, lastError: this.lastError };
  }

  dispose(): void {
    this.disposed = true;
    this.deactivate();
    this.lifetime.dispose();
  }

  private get consumer(): ISupervisor {
    return this.host.supervisor(this.to);
  }

  private get producer(): ISupervisor {
    return this.host.supervisor(this.spec.from);
  }

  private onConsumer(state: SidecarState): void {
    if (this.disposed) return;
    if (!RUNNING.has(state)) return this.deactivate();
    this.activate();
    if (state === 'starting') this.startProducer();
    if (state === 'ready') this.resync('the consumer started');
  }

  private activate(): void {
    if (this.session) return;
    const session = new DisposableStore();
    this.session = session;
    session.add(
      this.producer.on('event', (e) => {
        if (e.event === this.spec.event) this.onPayload(e.data);
      }),
    );
    session.add(
      this.producer.on('stateChange', (e) => {
        if (e.to !== 'ready') return;
        // A new incarnation numbers its generations afresh.
        this.lastGeneration = undefined;
        this.resync('the producer started');
      }),
    );
  }

  /** Stops listening and forgets the queue; a call in flight finishes unobserved. */
  private deactivate(): void {
    this.session?.dispose();
    this.session = undefined;
    this.drop();
    this.lastGeneration = undefined;
    this.stale = false;
  }

  /** The consumer started: so does the producer, whose events it needs. */
  private startProducer(): void {
    this.producer.start().catch((e: unknown) => {
      if (this.session && !this.disposed) this.failed(e, 'could not start the producer');
    });
  }

  private onPayload(data: unknown): void {
    if (!this.session) return;
    // The producer's numbering is followed even while the consumer is not ready.
    const payload = (data ?? {}) as Record<string, unknown>;
    const generation = typeof payload.generation === 'number' ? payload.generation : undefined;
    // The same generation again is the rest of one batch sent in parts (the workspace sidecar
    // splits large ones), not a gap.
    const last = this.lastGeneration;
    const gap = generation !== undefined && last !== undefined && generation !== last && generation !== last + 1;
    if (generation !== undefined) this.lastGeneration = generation;
    // Not ready: the resync that comes with its ready covers this payload.
    if (this.consumer.state !== 'ready') return void this.counts.dropped++;
    const why = this.resyncInstead(payload, gap);
    if (why && this.spec.resync) {
      this.counts.dropped++;
      return this.resync(why);
    }
    this.queue.push({ kind: 'forward', payload });
    void this.pump();
  }

  /** Why `payload` calls for a resync instead of a forward, if it does. */
  private resyncInstead(payload: Record<string, unknown>, gap: boolean): string | undefined {
    if (payload.rescan === true) return 'the producer rescanned';
    if (gap) return 'a generation gap';
    if (this.stale) return 'an earlier failure';
    if (this.queue.length >= MAX_QUEUED) return 'the consumer fell behind';
    return undefined;
  }

  /**
   * Queues a resync in place of every payload still waiting (it covers them). A consumer that is
   * not ready gets one when it is, so none is queued for it now.
   */
  private resync(reason: string): void {
    if (!this.spec.resync || !this.session || this.consumer.state !== 'ready') return;
    this.drop();
    this.queue.push({ kind: 'resync', reason });
    void this.pump();
  }

  private drop(): void {
    this.counts.dropped += this.queue.filter((i) => i.kind === 'forward').length;
    this.queue = [];
  }

  /** Runs the queue, one call at a time, until it is empty; never rejects. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let item = this.queue.shift(); item && !this.disposed; item = this.queue.shift()) await this.run(item);
    } finally {
      this.pumping = false;
    }
  }

  private async run(item: Item): Promise<void> {
    const session = this.session;
    const method = item.kind === 'resync' ? this.spec.resync! : this.spec.method;
    if (item.kind === 'resync') this.host.logger.debug(`feed resync: ${item.reason}`, { sidecar: this.to, from: this.spec.from });
    try {
      await this.host.call(this.to, method, item.kind === 'resync' ? {} : item.payload);
    } catch (e) {
      // A feed stopped (or restarted) meanwhile expected this call to fail, or does not care.
      if (this.disposed || this.session !== session) return;
      this.failed(e, `${method} failed`);
      this.stale = true;
      this.drop();
      // A consumer that is still ready gets its resync now; one that crashed gets it when back.
      if (item.kind === 'forward' && this.consumer.state === 'ready') this.resync('a forward failed');
      return;
    }
    if (this.disposed || this.session !== session) return;
    if (item.kind === 'resync') {
      this.counts.resyncs++;
      this.stale = false;
    } else {
      this.counts.forwarded++;
      this.failing = false;
    }
  }

  private failed(e: unknown, what: string): void {
    const code = SidecarError.is(e) ? e.code : undefined;
    this.lastError = { message: `${what}: ${(e as Error)?.message ?? String(e)}`, code, at: Date.now() };
    if (this.failing) return;
    this.failing = true;
    this.host.logger.warn(`feed ${this.spec.from} ${this.spec.event} → ${this.to}: ${this.lastError.message}`, { sidecar: this.to, code });
  }
}
