/**
 * Content hashes end to end through `WorkspaceAPI`: `hashes` answers every path in request order
 * with its hash or its own error (one bad path never fails the call), streamed chunks add up to the
 * unstreamed answer, the values equal `xxhsum -H128` (the reference implementation, Debian's
 * `xxhash`) over files of awkward sizes, `stat` with `hash` and `readFile` agree with it, and an
 * outside write of the same size with the old mtime restored is seen, which is how main detects a
 * conflicting write before saving. Also: every name git tracks on Linux is either served exactly
 * as `git ls-files` names it (a backslash in a name) or, when Windows reads it as something else
 * and every method refuses it, counted and named in `status.skipped`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HashEntry } from '../../sidecars/workspace';
import { underWine } from '../windows/wine';
import { makeWorkspace, openWorkspace, writeFile } from './fixture';

/** Whether `tool` runs here (`tool --version` exits 0). */
function available(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const XXHSUM = available('xxhsum');
// CI installs xxhash (test/toolchains), so there a missing xxhsum is a failure, never a quiet skip.
if (!XXHSUM && process.env.CI === 'true') throw new Error('CI must compare hashes with xxhsum -H128 (Debian package xxhash)');
if (!XXHSUM) console.warn('skipping the xxhsum comparison: xxhsum is not installed (Debian package xxhash)');

/** `xxhsum -H128` of each file, by workspace-relative path. */
function xxhsum(root: string, rels: string[]): Record<string, string> {
  const out = execFileSync('xxhsum', ['-H128', ...rels], { cwd: root, encoding: 'utf8' });
  const byPath: Record<string, string> = {};
  for (const line of out.trim().split('\n')) {
    const [hash, rel] = [line.slice(0, 32), line.slice(34)];
    byPath[rel] = hash;
  }
  return byPath;
}

/** Deterministic bytes that are not one repeated block (xxh3 mixes per 1 KiB stripe). */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** An entry as `hash` or `!CODE`, for comparing whole answers at a glance. */
function short(e: HashEntry): string {
  return 'hash' in e ? e.hash : `!${e.error.code}`;
}

const SIZES: Record<string, number> = {
  'sizes/empty.bin': 0,
  'sizes/one.bin': 1,
  'sizes/stripe.bin': 1024,
  'sizes/block-plus-one.bin': 64 * 1024 + 1,
  'sizes/chunk-plus-one.bin': 256 * 1024 + 1,
  'sizes/few-mb.bin': 3 * 1024 * 1024 + 7,
};

let root: string;
beforeAll(() => {
  const extra: Record<string, Buffer> = {};
  Object.entries(SIZES).forEach(([rel, n], i) => (extra[rel] = bytes(n, i + 1)));
  root = makeWorkspace(extra);
  fs.symlinkSync('README.md', path.join(root, 'link-in.md'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('workspace/hashes', () => {
  (XXHSUM ? test : test.skip)('hashes equal xxhsum -H128 over files of every awkward size, and readFile and stat say the same', async () => {
    const { api } = openWorkspace(root);
    const rels = [...Object.keys(SIZES), 'README.md', 'src/main.rs', 'assets/logo.bin'];
    const reference = xxhsum(root, rels);
    const { hashes } = await api.hashes(rels);
    expect(Object.fromEntries(hashes.map((e) => [e.path, short(e)]))).toEqual(reference);
    // Asked again, the answer comes from the cache (or is computed afresh): the same either way.
    expect((await api.hashes(rels)).hashes).toEqual(hashes);
    expect((await api.readFile('sizes/one.bin', { encoding: 'base64' })).hash).toBe(reference['sizes/one.bin']);
    expect((await api.stat('sizes/few-mb.bin', { hash: true })).hash).toBe(reference['sizes/few-mb.bin']);
  });

  test('one entry per path in request order; a bad path gets its own error and the rest are answered', async () => {
    const { api } = openWorkspace(root);
    const asked = ['README.md', 'missing.txt', 'src', '../outside.txt', 'debug.log', 'CON', 'link-in.md', './README.md', 'README.md'];
    const { hashes } = await api.hashes(asked);
    const readme = (await api.readFile('README.md')).hash;
    expect(hashes.map((e) => e.path)).toEqual(asked);
    expect(hashes.map(short)).toEqual([readme, '!NOT_FOUND', '!NOT_A_FILE', '!OUTSIDE_WORKSPACE', '!NOT_FOUND', '!INVALID_PATH', readme, readme, readme]);
    const missing = hashes[1];
    expect('error' in missing && missing.error.message).toContain('missing.txt');
    expect(await api.hashes([])).toEqual({ hashes: [] });
  });

  test('streamed, the chunks followed by the result are exactly the unstreamed answer', async () => {
    const { api } = openWorkspace(root);
    const small = ['README.md', 'src/main.rs', 'sizes/empty.bin', 'sizes/one.bin', 'assets/logo.bin', 'src'];
    const many = Array.from({ length: 2500 }, (_, i) => (i % 7 === 3 ? `nope-${i}.txt` : small[i % small.length]));
    const whole = await api.hashes(many);
    const stream = api.hashesStream(many);
    const chunks: HashEntry[][] = [];
    for await (const chunk of stream) chunks.push(chunk.hashes);
    const result = await stream.result;
    // A chunk holds at most 1,000 entries and a streamed result fewer, so 2,500 make at least two chunks.
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(1000);
    expect(result.hashes.length).toBeLessThan(1000);
    expect([...chunks.flat(), ...result.hashes]).toEqual(whole.hashes);
  });

  test('stat gives a hash only when asked, and only for a regular file', async () => {
    const { api } = openWorkspace(root);
    expect((await api.stat('README.md')).hash).toBeUndefined();
    expect((await api.stat('README.md', { hash: true })).hash).toBe((await api.readFile('README.md')).hash);
    expect((await api.stat('src', { hash: true })).hash).toBeUndefined();
  });

  test('an outside write of the same size with the old mtime restored changes the hash (the conflict check before a save)', async () => {
    const { api } = openWorkspace(root);
    writeFile(root, 'notes/draft.txt', 'version one\n');
    const file = path.join(root, 'notes/draft.txt');
    const old = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(file, old, old);
    // Main reads the file and keeps the hash it was given.
    const read = await api.readFile('notes/draft.txt');
    expect((await api.hashes(['notes/draft.txt'])).hashes).toEqual([{ path: 'notes/draft.txt', hash: read.hash }]);
    // Someone else writes the same number of bytes and puts the mtime back.
    fs.writeFileSync(file, 'version two\n');
    fs.utimesSync(file, old, old);
    expect(fs.statSync(file).mtimeMs).toBe(read.mtimeMs);
    // Before saving, main asks again: a different hash is a conflict.
    const now = await api.stat('notes/draft.txt', { hash: true });
    expect(now.size).toBe(read.size);
    expect(now.hash).not.toBe(read.hash);
    expect(now.hash).toBe((await api.readFile('notes/draft.txt')).hash);
  });
});

/** A git repository holding `files`, and what `git ls-files` lists there, sorted. */
function gitRepo(files: Record<string, string>): { repo: string; tracked: string[] } {
  const repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-git-')));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', ...args], { cwd: repo, encoding: 'utf8' });
  git('init', '-q');
  for (const [rel, content] of Object.entries(files)) writeFile(repo, rel, content);
  git('add', '-A');
  git('commit', '-qm', 'names');
  // -z: names exactly as stored, without git's quoting of a backslash.
  return { repo, tracked: git('ls-files', '-z').split('\0').filter(Boolean).sort() };
}

// Windows cannot hold these names (a backslash is its separator), so only elsewhere.
(process.platform !== 'win32' && !underWine ? describe : describe.skip)('names git tracks that Windows cannot hold', () => {
  test('a backslash in a name is listed, read, stated and hashed exactly as git ls-files names it', async () => {
    const { repo, tracked } = gitRepo({ 'back\\slash.txt': 'b\n', 'dir\\x/inner.txt': 'i\n', 'plain.txt': 'p\n', '.gitignore': '*.log\n' });
    try {
      expect(tracked).toContain('back\\slash.txt');
      const { api } = openWorkspace(repo);
      expect((await api.glob('**', { limit: 100 })).paths).toEqual(tracked);
      expect((await api.readFile('back\\slash.txt')).content).toBe('b\n');
      expect((await api.stat('dir\\x/inner.txt')).type).toBe('file');
      const { hashes } = await api.hashes(['back\\slash.txt']);
      expect(hashes).toEqual([{ path: 'back\\slash.txt', hash: (await api.readFile('back\\slash.txt')).hash }]);
      expect((await api.status()).skipped).toEqual({ nonUtf8: 0, unportable: 0, unportableSample: [], errors: 0 });
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  test('a name every method refuses (a device name, a colon, a trailing dot) is counted and named, the rest listed', async () => {
    const refused = ['aux/inner.ts', 'con.ts', 'notes/a:b.txt', 'notes/draft.'];
    const { repo, tracked } = gitRepo({ 'plain.txt': 'p\n', 'notes/ok.md': 'o\n', ...Object.fromEntries(refused.map((p) => [p, 'x\n'])) });
    try {
      expect(tracked).toEqual(expect.arrayContaining(refused));
      const { api } = openWorkspace(repo);
      expect((await api.glob('**', { limit: 100 })).paths).toEqual(tracked.filter((p) => !refused.includes(p)));
      expect((await api.status()).skipped).toEqual({ nonUtf8: 0, unportable: refused.length, unportableSample: refused, errors: 0 });
      await expect(api.readFile('con.ts')).rejects.toMatchObject({ code: 'INVALID_PATH' });
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});
