/**
 * End to end through `WorkspaceAPI` → registry → the real `skaffa-workspace` binary, on a
 * generated tree: gitignore honoured, each method's answer checked against expected content (the
 * registry already checks it against the method's JSON Schema), errors by code, cancellation of a
 * long search, and a workspace left byte- and mtime-identical.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SidecarError } from '../../registry';
import { nextEvent, rejectionOf } from '../helpers';
import { underWine } from '../windows/wine';
import { fingerprint, makeWorkspace, openWorkspace, VISIBLE_FILES, writeFile } from './fixture';

let root: string;
let before: Record<string, string>;
beforeAll(() => {
  root = makeWorkspace();
  before = fingerprint(root);
});
afterAll(() => {
  // Read-only: nothing the sidecar did may show in the tree.
  expect(fingerprint(root)).toEqual(before);
  fs.rmSync(root, { recursive: true, force: true });
});

const visible = [...Object.keys(VISIBLE_FILES), '.gitignore'].sort();

describe('workspace sidecar end to end', () => {
  test('status reports the root, the index and the watcher', async () => {
    const { api } = openWorkspace(root);
    await api.findFiles('x', { waitForIndex: true });
    const status = await api.status();
    // Wire paths use '/'; under wine the host's `/` is drive Z:.
    expect(status).toMatchObject({ root: underWine ? `Z:${root}` : root, state: 'ready', files: visible.length, watching: true, skipped: { nonUtf8: 0, unportable: 0, unportableSample: [], errors: 0 } });
    expect(status.watchLimit).toBeUndefined();
    expect(api.getRoot()).toBe(root);
  });

  // The OS watch budget is inotify's (Linux); elsewhere one watch covers the tree.
  (process.platform === 'linux' && !underWine ? test : test.skip)('status says so when the watch budget runs out', async () => {
    const { api } = openWorkspace(root, { workspaceMaxWatches: 1 });
    await api.findFiles('x', { waitForIndex: true }); // the first index (and so every walk's watches) is done
    const status = await api.status(); // the registry checks it against status.result.json
    expect(status.watching).toBe(true);
    expect(status.watchLimit?.message).toContain('--max-watches');
    expect(status.watchLimit?.rescanMs).toBeGreaterThanOrEqual(1000);
  });

  test('glob lists exactly the files gitignore leaves, sorted, with .git skipped and dotfiles kept', async () => {
    const { api } = openWorkspace(root);
    const all = await api.glob('**/*');
    expect(all).toEqual({ paths: visible, truncated: false });
    expect((await api.glob('**/*.md')).paths).toEqual(['README.md', 'docs/guide.md']);
    expect((await api.glob(['src/**'], { exclude: ['**/*.tsx'] })).paths).toEqual(['src/lib/mod.rs', 'src/lib/needle_finder.rs', 'src/main.rs']);
    expect(await api.glob('**/*', { limit: 2 })).toEqual({ paths: visible.slice(0, 2), truncated: true });
  });

  test('findFiles ranks a file-name match first and gives UTF-16 highlight positions', async () => {
    const { api } = openWorkspace(root);
    const { matches } = await api.findFiles('main', { waitForIndex: true });
    expect(matches[0].path).toBe('src/main.rs');
    expect(matches[0].positions).toEqual([4, 5, 6, 7]);
    const finder = (await api.findFiles('ndlfnd')).matches[0];
    expect(finder.path).toBe('src/lib/needle_finder.rs');
    const unicode = (await api.findFiles('nave')).matches.find((m) => m.path === 'ünïcode/naïve.txt');
    expect(unicode).toBeDefined();
    for (const i of unicode!.positions) expect('nave').toContain(unicode!.path[i]);
    expect((await api.findFiles('zzzzqqq')).matches).toEqual([]);
    expect((await api.findFiles('s', { limit: 3 })).matches).toHaveLength(3);
  });

  test('search finds literal matches case-insensitively, one entry per line with UTF-16 ranges, skipping binary and ignored files', async () => {
    const { api } = openWorkspace(root);
    const r = await api.search('needle');
    const where = r.lines.map((l) => `${l.path}:${l.line}:${JSON.stringify(l.ranges)}`);
    expect(where).toEqual([
      '.env.example:1:[[6,12]]',
      'README.md:2:[[2,8]]',
      'docs/guide.md:1:[[8,14]]',
      'docs/guide.md:2:[[0,6]]',
      'src/lib/mod.rs:1:[[8,14]]',
      'src/lib/needle_finder.rs:1:[[3,9]]',
      'src/main.rs:2:[[14,20]]',
      'src/ui/App.tsx:1:[[29,35]]',
      'ünïcode/naïve.txt:1:[[6,12]]',
    ]);
    expect(r.truncated).toBe(false);
    expect(r.truncatedBy).toBeUndefined();
    expect(r.filesSearched).toBeGreaterThanOrEqual(visible.length - 1);
    // Ranges index the text as a JS string: after the emoji (two UTF-16 units) too.
    for (const l of r.lines) for (const [s, e] of l.ranges) expect(l.text.slice(s, e).toLowerCase()).toBe('needle');
  });

  test('search options: case-sensitive, whole word, regex, include, maxResults', async () => {
    const { api } = openWorkspace(root);
    const at = (r: { lines: Array<{ path: string; line: number }> }) => r.lines.map((l) => `${l.path}:${l.line}`);
    expect(at(await api.search('NEEDLE', { caseSensitive: true }))).toEqual(['docs/guide.md:1']);
    expect(at(await api.search('needle', { wholeWord: true }))).not.toContain('src/lib/mod.rs:1');
    expect(at(await api.search('needle', { wholeWord: true }))).not.toContain('docs/guide.md:2');
    expect(at(await api.search('need(le)?s\\b', { isRegex: true }))).toEqual(['docs/guide.md:2']);
    expect(at(await api.search('needle', { include: ['**/*.md'] }))).toEqual(['README.md:2', 'docs/guide.md:1', 'docs/guide.md:2']);
    const capped = await api.search('needle', { maxResults: 2 });
    expect(capped.lines).toHaveLength(2);
    expect(capped.truncated).toBe(true);
    expect(capped.truncatedBy).toBe('maxResults');
    const bad = await rejectionOf(api.search('(unclosed', { isRegex: true }));
    expect(bad.code).toBe('INVALID_PARAMS');
    // The regex parser says what is wrong.
    expect(bad.message).toMatch(/unclosed group/);
  });

  test('readFile returns content, size, mtime and a stable hash; base64 for binary', async () => {
    const { api } = openWorkspace(root);
    const main = await api.readFile('src/main.rs');
    const st = fs.statSync(path.join(root, 'src/main.rs'));
    expect(main).toMatchObject({ path: 'src/main.rs', content: VISIBLE_FILES['src/main.rs'], encoding: 'utf8', size: st.size });
    expect(Math.abs(main.mtimeMs - st.mtimeMs)).toBeLessThan(1);
    expect((await api.readFile('src/main.rs')).hash).toBe(main.hash);
    expect((await api.readFile('README.md')).hash).not.toBe(main.hash);
    const bin = await api.readFile('assets/logo.bin', { encoding: 'base64' });
    expect(Buffer.from(bin.content, 'base64')).toEqual(VISIBLE_FILES['assets/logo.bin']);
  });

  test('readFile errors: invalid UTF-8, too large, not found, not a file', async () => {
    const { api } = openWorkspace(root);
    const code = async (p: Promise<unknown>) => ((await rejectionOf(p)) as SidecarError).code;
    expect(await code(api.readFile('data/latin1.txt'))).toBe('INVALID_ENCODING');
    expect(await code(api.readFile('README.md', { maxBytes: 4 }))).toBe('TOO_LARGE');
    expect(await code(api.readFile('nope.txt'))).toBe('NOT_FOUND');
    expect(await code(api.readFile('src'))).toBe('NOT_A_FILE');
  });

  test('stat and listDir describe files and folders', async () => {
    const { api } = openWorkspace(root);
    expect(await api.stat('src/main.rs')).toMatchObject({ path: 'src/main.rs', type: 'file', size: fs.statSync(path.join(root, 'src/main.rs')).size });
    expect((await api.stat('src')).type).toBe('dir');
    const { entries } = await api.listDir('src');
    expect(entries).toEqual([
      { name: 'lib', type: 'dir' },
      { name: 'main.rs', type: 'file' },
      { name: 'ui', type: 'dir' },
    ]);
    const top = (await api.listDir('')).entries.map((e) => e.name);
    expect(top).toEqual(expect.arrayContaining(['README.md', 'src', 'docs', '.env.example']));
    expect(top).not.toContain('.git');
    expect(((await rejectionOf(api.listDir('README.md'))) as SidecarError).code).toBe('NOT_A_DIRECTORY');
  });

  test('an aborted search answers CANCELLED and the sidecar goes on serving', async () => {
    const big = makeWorkspace();
    try {
      const line = `${'lorem ipsum dolor sit amet '.repeat(8)}\n`;
      for (let i = 0; i < 200; i++) writeFile(big, `corpus/f${i}.txt`, line.repeat(1500));
      const { api, registry } = openWorkspace(big);
      await api.status();
      await api.findFiles('f1', { waitForIndex: true });
      const controller = new AbortController();
      const sent = nextEvent(registry, 'trace', (t) => (t.message as { method?: string }).method === 'workspace/search');
      const search = api.search('a[^x]{3}z', { isRegex: true, signal: controller.signal });
      await sent;
      controller.abort();
      expect(((await rejectionOf(search)) as SidecarError).code).toBe('CANCELLED');
      expect((await api.status()).state).toBe('ready');
    } finally {
      fs.rmSync(big, { recursive: true, force: true });
    }
  });
});
