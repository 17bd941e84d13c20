/**
 * What quick open knows about the workspace sidecar's first index while it is built: how many
 * files it has found (from `workspace/indexProgress` and from partial answers' `filesSoFar`) and,
 * once it is ready, the figures. Listeners hear of a change at most once per `refreshMs` while
 * the count grows, so a list re-run on each change costs a few queries a second and no more,
 * and at once when the index becomes ready, which is the change that matters most. The
 * collaborators come in as plain functions, so the tracker is tested against a real sidecar and
 * against fakes alike.
 */

/** The figures of a finished first index. */
export interface ReadyFigures {
  files: number;
  ms: number;
  rssBytes?: number;
  watching: boolean;
}

/** How the tracker reaches the sidecar. */
export interface IndexSource {
  /** Starts the sidecar (resolves once it answers). */
  start(): Promise<void>;
  /** Resolves once the first index is ready, with its file count and watcher state. */
  untilReady(): Promise<{ files: number; watching: boolean; rssBytes?: number }>;
  /** Subscribes to the first scan's progress (files found so far); returns the unsubscribe. */
  onProgress(listener: (files: number) => void): () => void;
}

/** The tracker's current view. */
export type IndexState = { ready: false; files: number } | ({ ready: true } & ReadyFigures);

export class IndexTracker {
  private current: IndexState = { ready: false, files: 0 };
  private readonly listeners = new Set<() => void>();
  private timer?: ReturnType<typeof setTimeout>;
  private lastNotified = -Infinity;
  /** Settles when the index is ready (with its figures) or the sidecar could not build it. */
  readonly ready: Promise<ReadyFigures>;

  constructor(
    source: IndexSource,
    private readonly refreshMs = 250,
    private readonly now: () => number = () => performance.now(),
  ) {
    const started = now();
    const unsubscribe = source.onProgress((files) => this.found(files));
    this.ready = source
      .start()
      .then(() => source.untilReady())
      .then((r) => {
        const figures: ReadyFigures = { ...r, ms: now() - started };
        this.current = { ready: true, ...figures };
        this.notify();
        return figures;
      })
      .finally(() => {
        unsubscribe();
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
      });
    this.ready.catch(() => undefined); // the caller races it; never an unhandled rejection
  }

  state(): IndexState {
    return this.current;
  }

  /** Notes that the first scan has found at least `files` files. */
  found(files: number): void {
    if (this.current.ready || files <= this.current.files) return;
    this.current = { ready: false, files };
    if (this.timer) return;
    const wait = Math.max(0, this.lastNotified + this.refreshMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.notify();
    }, wait);
  }

  /** Calls `listener` after each change (see the file comment); returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    this.lastNotified = this.now();
    for (const l of [...this.listeners]) l();
  }
}
