/**
 * Confinement end to end: every way of naming a file outside the workspace (absolute paths, `..`
 * escapes, backslashes where they separate, NUL bytes, drive letters, and symlinks whose target
 * resolves outside) is refused with OUTSIDE_WORKSPACE by every path-taking method (by `hashes` as
 * an entry's error), while elsewhere a backslash is part of a name; names Windows would read as
 * something else answer INVALID_PATH, and a symlink that stays inside keeps working while one that leaves is
 * not even listed. Under wine (`npm run test:windows`) the same cases run against the Windows
 * build; wine shows these host symlinks as the files and folders they point to, so there only
 * the type that `stat` reports differs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SidecarError } from '../../registry';
import { rejectionOf } from '../helpers';
import { underWine } from '../windows/wine';
import { makeWorkspace, openWorkspace } from './fixture';

let root: string;
let outside: string;
beforeAll(() => {
  root = makeWorkspace();
  outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-outside-')));
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'top secret\n');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'link-out.txt'));
  fs.symlinkSync(outside, path.join(root, 'dir-out'));
  fs.symlinkSync('README.md', path.join(root, 'link-in.md'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

/** A backslash separates only on Windows (and so under wine); elsewhere it is part of one name. */
const backslashed = ['src\\..\\..\\outside.txt', '..\\outside.txt'];
const backslashSeparates = process.platform === 'win32' || underWine;

const escapes = [
  '/etc/passwd',
  '../outside.txt',
  'src/../../outside.txt',
  '..',
  ...(backslashSeparates ? backslashed : []),
  'C:\\Windows\\win.ini',
  'C:/Windows/win.ini',
  'README.md\u0000.txt',
  'link-out.txt',
  'dir-out/secret.txt',
  'dir-out',
];

describe('confinement', () => {
  test.each(escapes)('%j is OUTSIDE_WORKSPACE for readFile, stat and listDir', async (p) => {
    const { api } = openWorkspace(root);
    // All three are in flight at once and may be answered in any order, so every rejection gets
    // its handler now; awaiting them one by one left a later one unhandled if it came first.
    const errors = (await Promise.all([api.readFile(p), api.stat(p), api.listDir(p)].map(rejectionOf))) as SidecarError[];
    expect(errors.map((e) => e.code)).toEqual(['OUTSIDE_WORKSPACE', 'OUTSIDE_WORKSPACE', 'OUTSIDE_WORKSPACE']);
    // hashes answers the same refusal as an entry of its own.
    expect((await api.hashes([p])).hashes).toEqual([{ path: p, error: expect.objectContaining({ code: 'OUTSIDE_WORKSPACE' }) }]);
  });

  (backslashSeparates ? test.skip : test).each(backslashed)('%j is one name that does not exist, so NOT_FOUND, where a backslash is no separator', async (p) => {
    const { api } = openWorkspace(root);
    const errors = (await Promise.all([api.readFile(p), api.stat(p), api.listDir(p)].map(rejectionOf))) as SidecarError[];
    expect(errors.map((e) => e.code)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    expect((await api.hashes([p])).hashes).toEqual([{ path: p, error: expect.objectContaining({ code: 'NOT_FOUND' }) }]);
  });

  test.each(['README.md:stream', 'README.md.', 'README.md ', 'CON', 'nul.txt', 'src/com1'])(
    '%j is INVALID_PATH for readFile, stat and listDir',
    async (p) => {
      const { api } = openWorkspace(root);
      const errors = (await Promise.all([api.readFile(p), api.stat(p), api.listDir(p)].map(rejectionOf))) as SidecarError[];
      expect(errors.map((e) => e.code)).toEqual(['INVALID_PATH', 'INVALID_PATH', 'INVALID_PATH']);
    },
  );

  test('no error message carries an absolute path', async () => {
    const { api } = openWorkspace(root);
    const errors = (await Promise.all(['link-out.txt', 'dir-out/secret.txt', 'src', 'nope/x'].map((p) => rejectionOf(api.readFile(p))))) as SidecarError[];
    expect(errors.map((e) => e.code)).toEqual(['OUTSIDE_WORKSPACE', 'OUTSIDE_WORKSPACE', 'NOT_A_FILE', 'NOT_FOUND']);
    for (const e of errors) {
      expect(e.message).not.toContain(root);
      expect(e.message).not.toContain(outside);
    }
  });

  test('a symlink is listed as itself and one that stays inside can be read', async () => {
    const { api } = openWorkspace(root);
    expect((await api.stat('link-in.md')).type).toBe(underWine ? 'file' : 'symlink');
    expect((await api.readFile('link-in.md')).content).toContain('# Fixture');
    const names = (await api.glob('**/*')).paths;
    expect(names).toContain('link-in.md');
    // The index never lists what every method refuses.
    expect(names).not.toContain('link-out.txt');
    expect(names).not.toContain('dir-out/secret.txt');
  });

  test('search never reads through a symlink that leaves the workspace', async () => {
    const { api } = openWorkspace(root);
    expect((await api.search('top secret')).lines).toEqual([]);
  });
});
