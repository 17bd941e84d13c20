/**
 * Watching end to end: changes made to the folder (as main would make them) reach `watch`
 * listeners as created / changed / deleted, a rename as deleted + created, each listener filtered
 * by its own globs; ignored folders stay silent; a disposed listener hears nothing more; and
 * afterwards the live index agrees with a fresh scan of the same folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileChange, WorkspaceAPI, WorkspaceChangeEvent } from '../../sidecars/workspace';
import { waitFor } from '../helpers';
import { makeWorkspace, openWorkspace, writeFile } from './fixture';

let root: string;
beforeEach(() => {
  root = makeWorkspace();
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/**
 * Waits until the first index is published with the watch in place. Changes made before that
 * (while the first scan runs) are part of the first index, not changes to it: they are never
 * reported, so a test that made them earlier would wait for an event that is rightly not sent.
 */
async function untilLive(api: WorkspaceAPI): Promise<void> {
  await waitFor(
    async () => {
      const status = await api.status();
      return status.watching && status.state === 'ready';
    },
    30_000,
    'the watched first index',
  );
}

function recorder() {
  const changes: FileChange[] = [];
  const listener = (e: WorkspaceChangeEvent) => void changes.push(...e.changes);
  const saw = (p: string, type: FileChange['type']) => changes.some((c) => c.path === p && c.type === type);
  return { changes, listener, saw };
}

describe('watch', () => {
  test('create, modify, delete and rename reach listeners, filtered by glob', async () => {
    const { api } = openWorkspace(root);
    const all = recorder();
    const md = recorder();
    const subAll = api.watch('**/*', all.listener);
    const subMd = api.watch(['**/*.md'], md.listener);
    await untilLive(api);

    writeFile(root, 'new/file.txt', 'fresh\n');
    await waitFor(() => all.saw('new/file.txt', 'created'), 30_000, 'created');
    fs.appendFileSync(path.join(root, 'README.md'), 'more\n');
    await waitFor(() => all.saw('README.md', 'changed'), 30_000, 'changed');
    fs.rmSync(path.join(root, 'docs/guide.md'));
    await waitFor(() => all.saw('docs/guide.md', 'deleted'), 30_000, 'deleted');
    fs.renameSync(path.join(root, 'src/main.rs'), path.join(root, 'src/entry.rs'));
    await waitFor(() => all.saw('src/main.rs', 'deleted') && all.saw('src/entry.rs', 'created'), 30_000, 'rename');

    expect(md.changes.every((c) => c.path.endsWith('.md'))).toBe(true);
    expect(md.saw('README.md', 'changed')).toBe(true);
    expect(md.saw('docs/guide.md', 'deleted')).toBe(true);

    // The index moved with the changes.
    const paths = (await api.glob('**/*')).paths;
    expect(paths).toEqual(expect.arrayContaining(['new/file.txt', 'src/entry.rs']));
    expect(paths).not.toContain('src/main.rs');
    expect(paths).not.toContain('docs/guide.md');
    subAll.dispose();
    subMd.dispose();
  });

  test('changes in ignored places are silent, and a disposed listener hears nothing', async () => {
    const { api } = openWorkspace(root);
    const kept = recorder();
    const dropped = recorder();
    api.watch('**', kept.listener);
    const sub = api.watch('**', dropped.listener);
    await untilLive(api);
    sub.dispose();
    writeFile(root, 'ignored/more.txt', 'x');
    writeFile(root, 'build.log', 'x');
    writeFile(root, '.git/index', 'x');
    // A visible change after the ignored ones: once it arrives, the earlier ones had their chance.
    writeFile(root, 'marker.txt', 'x');
    await waitFor(() => kept.saw('marker.txt', 'created'), 30_000, 'marker');
    expect(kept.changes.map((c) => c.path)).toEqual(['marker.txt']);
    expect(dropped.changes).toEqual([]);
  });

  test('after a burst of changes the live index equals a fresh scan', async () => {
    const { api } = openWorkspace(root);
    const rec = recorder();
    api.watch('**', rec.listener);
    await untilLive(api);
    for (let i = 0; i < 300; i++) writeFile(root, `burst/d${i % 10}/f${i}.txt`, `${i}`);
    fs.renameSync(path.join(root, 'src/lib'), path.join(root, 'src/library'));
    fs.rmSync(path.join(root, 'src/ui'), { recursive: true });
    await waitFor(
      () => rec.saw('burst/d9/f299.txt', 'created') && rec.saw('src/library/mod.rs', 'created') && rec.saw('src/ui/App.tsx', 'deleted'),
      20_000,
      'the burst',
    );
    const live = (await api.glob('**/*')).paths;
    const fresh = (await openWorkspace(root).api.glob('**/*')).paths;
    expect(live).toEqual(fresh);
    expect(live.filter((p) => p.startsWith('burst/'))).toHaveLength(300);
  });
});
