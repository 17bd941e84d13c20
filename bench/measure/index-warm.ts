/**
 * Warm start (issue 18): the sidecar restarted with a cache folder on the tree its previous run
 * left a snapshot of, against a cold start of the same tree and fd in the same run. Rows: warm
 * first answer (spawn → the first findFiles answer, which comes from the snapshot, marked
 * unverified), warm ready (spawn → state ready and cache warm, i.e. the catch-up is done), and the
 * catch-up after 1,000 files were changed while no sidecar ran (each reported once as changed).
 * Same options as the cold rows (`--no-ignore`), fresh cache folder per corpus; a second pair of
 * rows repeats first answer and ready with the ignore files honoured. The catch-up row changes
 * 1,000 files of the generated tree per round: 700 get a space appended in place, 100 are renamed
 * in their folder, 100 are moved out of the tree, and 100 new files appear beside others, so the
 * catch-up also reads folders again; everything but the appended spaces (which no listing or
 * search answer depends on) is undone after the last round. The pinned npm corpus is never
 * changed. The generator hard-links its
 * files to a few templates, and any change to one link (even its removal) gives every file
 * sharing that inode a new ctime, which the catch-up rightly reports as changed: so before the
 * snapshot is taken, the files those rounds will edit are made files of their own once, and the
 * run waits out the racy window (two 2-second ticks) that this gives the templates' other links.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Tools } from '../setup';
import { timeCommand } from '../lib/proc';
import { goals, type Report } from '../lib/report';
import { openSession, startAndIndex, type Session } from '../lib/sidecar';
import { nowMs, sleep, summarize } from '../lib/stats';
import type { Corpus } from './corpus';

/** Files changed while down for the catch-up row. */
const OFFLINE_CHANGES = 1000;

/** Polls status until the warm start's catch-up is done; ms since `since`. */
async function waitWarm(s: Session, since: number, timeoutMs = 300_000): Promise<number> {
  for (;;) {
    const st = await s.workspace.status();
    if (st.state === 'ready') {
      if (st.cache.state !== 'warm') throw new Error(`expected a warm start, status.cache is ${JSON.stringify(st.cache)}`);
      return nowMs() - since;
    }
    if (nowMs() - since > timeoutMs) throw new Error('the warm start never became ready');
    await sleep(2);
  }
}

/** One warm start: first answer and ready, with the changes it reported. */
async function warmStart(root: string, cacheDir: string, noIgnore: boolean): Promise<{ first: number; ready: number; changed: Set<string>; reread: number; folders: number }> {
  const s = openSession(root, { noIgnore, cacheDir });
  const changed = new Set<string>();
  try {
    // Subscribed before the start: what changed while down arrives before the index is ready.
    const sub = s.workspace.watch('**', (e) => e.changes.forEach((c) => changed.add(`${c.type} ${c.path}`)));
    const t0 = nowMs();
    await s.registry.start(['workspace']);
    const answer = await s.workspace.findFiles('index', { limit: 1 });
    const first = nowMs() - t0;
    if (!answer.indexing?.unverified) throw new Error(`the first answer did not come from the snapshot: ${JSON.stringify(answer.indexing)}`);
    const ready = await waitWarm(s, t0);
    sub.dispose();
    // The quick catch-up must have been the one measured: a full walk here would be a regression.
    const how = (await s.workspace.status()).cache.catchUp;
    if (!how || how.walk) throw new Error(`the warm start walked the whole tree: ${JSON.stringify(how)}`);
    return { first, ready, changed, reread: how.reread, folders: how.folders };
  } finally {
    await s.close();
  }
}

/** Rewrites `n` files spread over the tree (every k-th) with a byte appended, as new files. */
function pickFiles(root: string, n: number, round: number): string[] {
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) all.push(p);
    }
  };
  walk(root);
  const step = Math.max(1, Math.floor(all.length / n));
  return all.filter((_, i) => i % step === round % step).slice(0, n);
}

/** Makes every file of `files` that shares its inode a file of its own; true if any did. */
function unshare(files: string[]): boolean {
  let any = false;
  for (const p of files) {
    if (fs.statSync(p).nlink < 2) continue;
    const data = fs.readFileSync(p);
    fs.unlinkSync(p);
    fs.writeFileSync(p, data);
    any = true;
  }
  return any;
}

/** The racy window the sidecar gives a file's times (2 ticks of 2 s), and a margin. */
const SETTLE_MS = 4_500;

/** What `warmAndCold` measured: per round a warm start and a cold one, and the last warm start's catch-up. */
interface Rounds {
  first: number[];
  ready: number[];
  cold: number[];
  /** Files the cold starts indexed. */
  files: number;
  last: { folders: number; reread: number };
}

/**
 * The snapshot the warm starts begin from (one cold run with the cache folder, shut down), then
 * `rounds` times a warm start (which must report no change) and a cold start of the same sidecar
 * without a cache folder, with the same ignore options; `eachRound` runs after each pair.
 */
async function warmAndCold(root: string, cacheDir: string, noIgnore: boolean, rounds: number, eachRound?: () => Promise<void>): Promise<Rounds> {
  const r: Rounds = { first: [], ready: [], cold: [], files: 0, last: { folders: 0, reread: 0 } };
  const s = openSession(root, { noIgnore, cacheDir });
  await startAndIndex(s);
  await s.close();
  for (let i = 0; i < rounds; i++) {
    const w = await warmStart(root, cacheDir, noIgnore);
    if (w.changed.size) throw new Error(`a warm start on an unchanged tree reported ${w.changed.size} changes`);
    r.first.push(w.first);
    r.ready.push(w.ready);
    r.last = w;
    const c = openSession(root, { noIgnore });
    try {
      const started = await startAndIndex(c);
      r.cold.push(started.ms);
      r.files = started.files;
    } finally {
      await c.close();
    }
    await eachRound?.();
  }
  return r;
}

/** The warm rows; `offline` adds the catch-up row, which changes 1,000 files of the corpus per round. */
export async function measureWarmIndex(report: Report, corpus: Corpus, tools: Tools, rounds: number, scratch: string, offline: boolean): Promise<void> {
  const cacheDir = fs.mkdtempSync(path.join(scratch || os.tmpdir(), 'warm-cache-'));
  const fd: number[] = [];
  const catchUpRounds = offline ? Math.min(rounds, 2) : 0;
  const edits = Array.from({ length: catchUpRounds }, (_, i) => pickFiles(corpus.root, OFFLINE_CHANGES, i));
  // Where files moved out of the tree wait: beside the corpus, so a move is a rename.
  const hold = fs.mkdtempSync(path.join(path.dirname(corpus.root), 'offline-hold-'));
  const undo: Array<() => void> = [];
  try {
    if (unshare(edits.flat())) await sleep(SETTLE_MS);
    const { first, ready, cold, last } = await warmAndCold(corpus.root, cacheDir, true, rounds, async () => {
      if (tools.available.fdfind === true) fd.push(await timeCommand('fdfind', ['-t', 'f', '-u', '.', corpus.root]));
    });
    const base = { corpus: corpus.label, corpusFiles: corpus.files };
    const firstGoal = corpus.kind === 'generated' ? goals.atMost(100, '≤ 100 ms') : undefined;
    report.note(`${corpus.label}: the warm starts checked ${last.folders} folders and read ${last.reread} again`);
    report.add({ name: 'warm first answer', ...base, unit: 'ms', project: summarize(first), peer: 'cold ready (same sidecar)', peerResult: summarize(cold) }, firstGoal);
    report.add({ name: 'warm ready (verified)', ...base, unit: 'ms', project: summarize(ready), peer: 'cold ready (same sidecar)', peerResult: summarize(cold) }, goals.ratioAtMost(0.5, '≤ 0.5× cold'));
    const fdRow = fd.length ? summarize(fd) : null;
    report.add({ name: 'warm ready (verified)', ...base, unit: 'ms', project: summarize(ready), peer: 'fdfind -t f -u', peerResult: fdRow, skipped: fdRow ? undefined : 'fd not installed' });
    if (!offline) return;
    // Catch-up after offline changes: each round changes another 1,000 files while no sidecar runs.
    const catchUp: number[] = [];
    for (let i = 0; i < catchUpRounds; i++) {
      const expected = changeOffline(corpus.root, edits[i], hold, undo);
      const w = await warmStart(corpus.root, cacheDir, true);
      const missing = expected.filter((c) => !w.changed.has(c));
      if (missing.length) throw new Error(`the catch-up missed ${missing.length} of ${expected.length} offline changes, e.g. ${missing[0]}`);
      catchUp.push(w.ready);
    }
    report.add({ name: `warm ready after ${OFFLINE_CHANGES} offline changes`, ...base, unit: 'ms', project: summarize(catchUp), peer: 'cold ready (same sidecar)', peerResult: summarize(cold) });
  } finally {
    // The tree goes back to its generated paths for later runs, whatever happened.
    undo.reverse().forEach((step) => step());
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.rmSync(hold, { recursive: true, force: true });
  }
}

/**
 * Makes one round's offline changes to `files` (files of their own, see `unshare`): a tenth
 * renamed in their folder, a tenth moved out of the tree into `hold`, a tenth joined by a new file
 * beside them, the rest appended to in place. Pushes onto `undo` what puts the paths back, and
 * returns the changes the catch-up must report, as `type path`.
 */
function changeOffline(root: string, files: string[], hold: string, undo: Array<() => void>): string[] {
  const rel = (p: string) => path.relative(root, p).split(path.sep).join('/');
  const tenth = Math.floor(files.length / 10);
  const expected: string[] = [];
  files.forEach((p, i) => {
    if (i < tenth) {
      fs.renameSync(p, `${p}.moved`);
      undo.push(() => fs.renameSync(`${p}.moved`, p));
      expected.push(`deleted ${rel(p)}`, `created ${rel(p)}.moved`);
    } else if (i < 2 * tenth) {
      const away = path.join(hold, `${undo.length}`);
      fs.renameSync(p, away);
      undo.push(() => fs.renameSync(away, p));
      expected.push(`deleted ${rel(p)}`);
    } else if (i < 3 * tenth) {
      fs.writeFileSync(`${p}.new`, 'new\n');
      undo.push(() => fs.rmSync(`${p}.new`, { force: true }));
      expected.push(`created ${rel(p)}.new`);
    } else {
      fs.appendFileSync(p, ' ');
      expected.push(`changed ${rel(p)}`);
    }
  });
  return expected;
}

/**
 * The same warm rows with the ignore files honoured (the sidecar's default): every folder's check
 * then also reads the keys of its `.ignore`, `.gitignore` and `.git/info/exclude`. Cold ready is the
 * same sidecar without a cache folder, ignore files honoured too.
 */
export async function measureWarmIgnoreRows(report: Report, corpus: Corpus, rounds: number, scratch: string): Promise<void> {
  const cacheDir = fs.mkdtempSync(path.join(scratch || os.tmpdir(), 'warm-cache-'));
  try {
    // The rows before may have just changed folders (the catch-up row's edits), and a folder
    // recorded within the racy window is read again by design: not what these rows measure.
    await sleep(SETTLE_MS);
    const { first, ready, cold, files, last } = await warmAndCold(corpus.root, cacheDir, false, rounds);
    const base = { corpus: corpus.label, corpusFiles: files };
    report.note(`${corpus.label}, ignore files honoured: the warm starts checked ${last.folders} folders and read ${last.reread} again`);
    report.add({ name: 'warm first answer, ignore files honoured', ...base, unit: 'ms', project: summarize(first), peer: 'cold ready (same sidecar)', peerResult: summarize(cold) });
    report.add({ name: 'warm ready (verified), ignore files honoured', ...base, unit: 'ms', project: summarize(ready), peer: 'cold ready (same sidecar)', peerResult: summarize(cold) }, goals.ratioAtMost(0.5, '≤ 0.5× cold'));
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}
