/**
 * A child Node process running the watch scenario with chokidar or @parcel/watcher on a root, so
 * its ready time, memory and inotify watches are its own, and the writes and the timing happen in
 * the same process as the watcher (as they do in main for the sidecar). Prints one JSON line of
 * WatchFigures. Usage: node watch-child.js chokidar|parcel <root> <dir> <changes> <burst>
 */
import * as path from 'node:path';
import { peerRequire } from '../lib/peers';
import { inotifyWatches, WatchProbe, type WatchFigures } from '../lib/watch-scenario';

async function main(): Promise<void> {
  const [kind, root, dir, changes, burst] = process.argv.slice(2);
  const probe = new WatchProbe(root);
  probe.prepare(dir);
  const rel = (p: string) => path.relative(root, p).split(path.sep).join('/');
  const t0 = performance.now();
  let close: () => Promise<void>;
  if (kind === 'chokidar') {
    const chokidar = peerRequire('chokidar');
    const w = chokidar.watch(root, { ignoreInitial: true, persistent: true });
    w.on('add', (p: string) => probe.seen(rel(p)));
    w.on('change', (p: string) => probe.seen(rel(p)));
    await new Promise<void>((r) => w.once('ready', () => r()));
    close = () => w.close();
  } else {
    const watcher = peerRequire('@parcel/watcher');
    const sub = await watcher.subscribe(root, (err: Error | null, events: Array<{ path: string }>) => {
      if (!err) for (const e of events) probe.seen(rel(e.path));
    });
    close = () => sub.unsubscribe();
  }
  const readyMs = performance.now() - t0;
  const rssMb = process.memoryUsage().rss / 1048576;
  const watches = inotifyWatches('self');
  const c = await probe.changes(dir, Number(changes));
  const b = await probe.burst(dir, Number(burst));
  await close();
  const out: WatchFigures = {
    readyMs,
    rssMb,
    watches,
    latenciesMs: c.latenciesMs,
    changesLost: c.lost,
    burstWriteMs: b.writeMs,
    burstAllMs: b.allMs,
    burstLost: b.lost,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
