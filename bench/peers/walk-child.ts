/**
 * A child Node process that builds the index a Node app would build without the sidecar: every
 * file's path, size and mtime, with fdir + statSync or with fast-glob's `stats: true`. It runs in
 * its own process so its resident memory is its own, like the sidecar's. It keeps the result
 * alive, measures only the walk (Node's own startup is not charged to the peer), and prints one
 * JSON line: {ms, files, rssMb}. Usage: node walk-child.js fdir|fast-glob <root>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { peerRequire } from '../lib/peers';

interface Entry {
  path: string;
  size: number;
  mtimeMs: number;
}

async function walk(kind: string, root: string): Promise<Entry[]> {
  if (kind === 'fdir') {
    const { fdir } = peerRequire('fdir');
    const files: string[] = new fdir().withFullPaths().crawl(root).sync();
    const out: Entry[] = [];
    for (const f of files) {
      try {
        const st = fs.statSync(f);
        out.push({ path: path.relative(root, f), size: st.size, mtimeMs: st.mtimeMs });
      } catch {
        // vanished between the walk and the stat: a real indexer skips it too
      }
    }
    return out;
  }
  const fg = peerRequire('fast-glob');
  const found: Array<{ path: string; stats: fs.Stats }> = await fg.glob('**', { cwd: root, dot: true, stats: true, onlyFiles: true, followSymbolicLinks: false });
  return found.map((e) => ({ path: e.path, size: e.stats.size, mtimeMs: e.stats.mtimeMs }));
}

async function main(): Promise<void> {
  const [kind, root] = process.argv.slice(2);
  const t = performance.now();
  const entries = await walk(kind, root);
  const ms = performance.now() - t;
  const rssMb = process.memoryUsage().rss / 1048576;
  process.stdout.write(JSON.stringify({ ms, files: entries.length, rssMb }) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
