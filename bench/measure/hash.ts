/**
 * Content-hash throughput: `workspace.hashes` over a set of files against `xxhsum -H128` (the
 * reference xxh3-128, Debian `xxhash`) and `b3sum` (BLAKE3, Debian `b3sum`) over the same files, in
 * MB/s of file content, warm (the page cache holds every file). The sidecar's hash cache would
 * answer a second call without reading, so each round starts a fresh sidecar and times only the
 * call; a second row times the same call answered from the cache (every file re-checked by its
 * metadata). The files are a mix a workspace has: many small sources and a few large assets.
 * The project's hashes are checked against xxhsum's, so a fast wrong answer cannot pass.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { capture } from '../lib/proc';
import { goals, type Report } from '../lib/report';
import { openSession, startAndIndex } from '../lib/sidecar';
import { nowMs, sleep, summarize, type Summary } from '../lib/stats';
import type { Tools } from '../setup';

/** `size` deterministic bytes (a linear congruential sequence), so every run hashes the same content. */
function content(size: number, seed: number): Buffer {
  const buf = Buffer.alloc(Math.ceil(size / 4) * 4);
  let x = seed >>> 0;
  for (let i = 0; i < buf.length; i += 4) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    buf.writeUInt32LE(x, i);
  }
  return buf.subarray(0, size);
}

/** Writes the file set once (reused across runs): `small` files of 1–64 KiB and `large` of 32 MiB. */
function prepare(work: string, small: number, large: number): { root: string; files: string[]; bytes: number; newestMs: number } {
  const root = path.join(work, `hash-${small}-${large}`);
  const files: string[] = [];
  let [bytes, newestMs] = [0, 0];
  for (let i = 0; i < small + large; i++) {
    const rel = i < small ? `src/d${i % 32}/f${i}.ts` : `assets/big${i - small}.bin`;
    const size = i < small ? 1024 + ((i * 7919) % (63 * 1024)) : 32 << 20;
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs) || fs.statSync(abs).size !== size) {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content(size, i + 1));
      newestMs = Date.now();
    }
    files.push(rel);
    bytes += size;
  }
  return { root, files, bytes, newestMs };
}

/** MB/s of `bytes` for each time in ms. */
function rates(bytes: number, ms: number[]): Summary {
  return summarize(ms.map((t) => bytes / 2 ** 20 / (t / 1000)));
}

export async function measureHash(report: Report, work: string, tools: Tools, rounds: number, quick: boolean): Promise<void> {
  const set = prepare(work, quick ? 2_000 : 10_000, quick ? 2 : 8);
  const label = `${set.files.length} files, ${Math.round(set.bytes / 2 ** 20)} MiB`;
  const haveXxh = tools.available.xxhsum === true;
  const haveB3 = tools.available.b3sum === true;
  const xxhsum = () => capture('xxhsum', ['-H128', ...set.files], undefined, { cwd: set.root });
  const b3sum = () => capture('b3sum', set.files, undefined, { cwd: set.root });
  // Warm the page cache (and check the peers run) before any timing.
  const reference = new Map<string, string>();
  if (haveXxh) for (const line of (await xxhsum()).out.trim().split('\n')) reference.set(line.slice(34), line.slice(0, 32));
  if (haveB3) await b3sum();
  // The cache trusts a hash only once the file's times are two 2 s ticks older than its
  // computation (the racy rule): files written just now would be hashed again on every call.
  const settle = set.newestMs + 4_500 - Date.now();
  if (settle > 0) await sleep(settle);
  const project: number[] = [];
  const cached: number[] = [];
  const xxh: number[] = [];
  const b3: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const s = openSession(set.root);
    try {
      await startAndIndex(s);
      let t = nowMs();
      const { hashes } = await s.workspace.hashes(set.files);
      project.push(nowMs() - t);
      const wrong = hashes.filter((e) => !('hash' in e) || (haveXxh && reference.get(e.path) !== e.hash));
      if (wrong.length) throw new Error(`hashes: ${wrong.length} entries differ from xxhsum -H128, first ${JSON.stringify(wrong[0])}`);
      t = nowMs();
      await s.workspace.hashes(set.files);
      cached.push(nowMs() - t);
    } finally {
      await s.close();
    }
    if (haveXxh) xxh.push((await xxhsum()).ms);
    if (haveB3) b3.push((await b3sum()).ms);
  }
  const peers = [
    { peer: 'xxhsum -H128', ms: xxh, skipped: haveXxh ? undefined : String(tools.available.xxhsum) },
    { peer: 'b3sum', ms: b3, skipped: haveB3 ? undefined : String(tools.available.b3sum) },
  ];
  for (const p of peers) {
    report.add(
      {
        name: 'content hashes, cold cache (warm pages)',
        corpus: label,
        corpusFiles: null,
        unit: 'MB/s',
        project: rates(set.bytes, project),
        peer: p.peer,
        peerResult: p.skipped ? null : rates(set.bytes, p.ms),
        skipped: p.skipped,
        note: 'project: workspace.hashes on a fresh sidecar, one call for every file; peers: one process over the same files',
      },
      p.peer === 'xxhsum -H128' ? goals.ratioAtLeast(0.8, '≥ 0.8× xxhsum') : undefined,
    );
  }
  report.add({
    name: 'content hashes, from the cache (re-checked)',
    corpus: label,
    corpusFiles: null,
    unit: 'MB/s',
    project: rates(set.bytes, cached),
    peer: 'xxhsum -H128',
    peerResult: haveXxh ? rates(set.bytes, xxh) : null,
    skipped: haveXxh ? undefined : String(tools.available.xxhsum),
    note: 'the same call again: every file opened and its metadata checked, none read (files older than the racy window)',
  });
}
