/**
 * A child Node process that starts chokidar or @parcel/watcher on a root with `node_modules`
 * ignored the way each allows (chokidar: an `ignored` predicate, which also keeps it from
 * descending; @parcel/watcher: its `ignore` option), waits until it is ready and prints one JSON
 * line `{ readyMs, watches }`, the inotify watches this process holds.
 * Usage: node watch-count-child.js chokidar|parcel <root>
 */
import * as path from 'node:path';
import { peerRequire } from '../lib/peers';
import { inotifyWatches } from '../lib/watch-scenario';

async function main(): Promise<void> {
  const [kind, root] = process.argv.slice(2);
  const t0 = performance.now();
  let close: () => Promise<void>;
  if (kind === 'chokidar') {
    const chokidar = peerRequire('chokidar');
    const ignored = (p: string) => p.split(path.sep).includes('node_modules');
    const w = chokidar.watch(root, { ignoreInitial: true, persistent: true, ignored });
    await new Promise<void>((r) => w.once('ready', () => r()));
    close = () => w.close();
  } else {
    const watcher = peerRequire('@parcel/watcher');
    const sub = await watcher.subscribe(root, () => {}, { ignore: ['node_modules'] });
    close = () => sub.unsubscribe();
  }
  const readyMs = performance.now() - t0;
  const watches = inotifyWatches('self');
  await close();
  process.stdout.write(JSON.stringify({ readyMs, watches }) + '\n');
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
