/**
 * The watch scenario, run identically for the sidecar (in main, through WorkspaceAPI.watch) and
 * for chokidar and @parcel/watcher (each in a child Node process, so their memory is their own):
 * after the watcher is ready, create files one at a time and time each until its event arrives;
 * then a burst of N new files in a fresh folder, timed from the last write until every one has
 * been reported, counting the ones never reported. The burst uses hard links to one file because
 * creating an inode costs ~0.7 ms on this VM's disk, which would spread a "burst" over seconds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nowMs, sleep } from './stats';

export interface WatchFigures {
  readyMs: number;
  rssMb: number;
  watches: number;
  latenciesMs: number[];
  changesLost: number;
  burstWriteMs: number;
  burstAllMs: number;
  burstLost: number;
}

/** Called with workspace-relative `/` paths as the watcher reports them. */
export type Seen = (relPath: string) => void;

/** Count of inotify watches a process holds (from /proc/<pid>/fdinfo), or NaN off Linux. */
export function inotifyWatches(pid: number | 'self'): number {
  try {
    let n = 0;
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      let target = '';
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (target === 'anon_inode:inotify') {
        n += fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
      }
    }
    return n;
  } catch {
    return NaN;
  }
}

/**
 * Runs the changes and the burst under `dir` (inside the watched root). `waiting` holds the paths
 * still expected; `onSeen` must be wired to the watcher before this is called.
 */
export class WatchProbe {
  private waiting = new Map<string, () => void>();
  private burstSeen?: Seen;

  constructor(private readonly root: string) {}

  /** Wire the watcher's reported paths here. */
  readonly seen: Seen = (rel) => {
    this.burstSeen?.(rel);
    const done = this.waiting.get(rel);
    if (done) {
      this.waiting.delete(rel);
      done();
    }
  };

  private expect(rel: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(rel);
        resolve(false);
      }, timeoutMs);
      this.waiting.set(rel, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Creates the scenario's folders (`<dir>/changes`, `<dir>/burst` with the burst's link source)
   * before any watcher starts: @parcel/watcher misses files in folders that `mkdir -p` creates
   * after it subscribed (it adds a watch for `a` too late to see `a/b`), and the rows compare
   * latency, not that race.
   */
  prepare(dir: string): void {
    fs.mkdirSync(path.join(this.root, dir, 'changes'), { recursive: true });
    fs.mkdirSync(path.join(this.root, dir, 'burst'), { recursive: true });
    fs.writeFileSync(path.join(this.root, dir, 'burst', 'source.txt'), 'burst\n');
  }

  /** Creates `count` files one by one in `<dir>/changes`; returns each one's write → event latency. */
  async changes(dir: string, count: number): Promise<{ latenciesMs: number[]; lost: number }> {
    dir = `${dir}/changes`;
    await sleep(200); // let the watcher settle after ready
    const latenciesMs: number[] = [];
    let lost = 0;
    for (let i = 0; i < count; i++) {
      const rel = `${dir}/change-${i}.txt`;
      const got = this.expect(rel, 3000);
      fs.writeFileSync(path.join(this.root, rel), `change ${i}\n`);
      const t = nowMs();
      if (await got) latenciesMs.push(nowMs() - t);
      else lost++;
      await sleep(15); // apart, so each change is its own event rather than part of a batch
    }
    return { latenciesMs, lost };
  }

  /** Creates `count` files in `<dir>/burst` as fast as possible; times from the last write until all are seen. */
  async burst(dir: string, count: number, quietMs = 10_000): Promise<{ writeMs: number; allMs: number; lost: number }> {
    dir = `${dir}/burst`;
    const abs = path.join(this.root, dir);
    const source = path.join(abs, 'source.txt');
    await sleep(200);
    const pending = new Set<string>();
    for (let i = 0; i < count; i++) pending.add(`${dir}/b-${i}.txt`);
    let lastAt = 0;
    this.burstSeen = (rel) => {
      if (pending.delete(rel)) lastAt = nowMs();
    };
    const t0 = nowMs();
    for (let i = 0; i < count; i++) fs.linkSync(source, path.join(abs, `b-${i}.txt`));
    const t1 = nowMs();
    lastAt = Math.max(lastAt, t1);
    // Done when all were seen, or when nothing new arrived for `quietMs` (the rest are lost).
    while (pending.size > 0 && nowMs() - lastAt < quietMs) await sleep(2);
    this.burstSeen = undefined;
    return { writeMs: t1 - t0, allMs: pending.size === 0 ? lastAt - t1 : NaN, lost: pending.size };
  }
}
