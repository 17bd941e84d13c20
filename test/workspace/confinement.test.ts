/**
 * Confinement end to end: every way of naming a file outside the workspace (absolute paths, `..`
 * escapes, backslashes, NUL bytes, drive letters, and symlinks whose target resolves outside) is
 * refused with OUTSIDE_WORKSPACE by every path-taking method, and a symlink that stays inside
 * keeps working.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SidecarError } from '../../registry';
import { rejectionOf } from '../helpers';
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

const escapes = [
  '/etc/passwd',
  '../outside.txt',
  'src/../../outside.txt',
  '..',
  'src\\..\\..\\outside.txt',
  '..\\outside.txt',
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
  });

  test('a symlink is listed as itself and one that stays inside can be read', async () => {
    const { api } = openWorkspace(root);
    expect((await api.stat('link-in.md')).type).toBe('symlink');
    expect((await api.readFile('link-in.md')).content).toContain('# Fixture');
    const names = (await api.glob('**/*')).paths;
    expect(names).toEqual(expect.arrayContaining(['link-in.md', 'link-out.txt']));
    expect(names).not.toContain('dir-out/secret.txt');
  });

  test('search never reads through a symlink that leaves the workspace', async () => {
    const { api } = openWorkspace(root);
    expect((await api.search('top secret')).matches).toEqual([]);
  });
});
