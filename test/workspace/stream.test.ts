/**
 * The streamed forms of `WorkspaceAPI` (`searchStream`, `findFilesStream`) against the real
 * workspace binary. Whatever the sidecar streams, the items of the chunks followed by those of the
 * final result must be exactly what the unstreamed call answers (today the sidecar does not
 * stream these methods yet, so this checks the plumbing; it is the contract once it does).
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import { makeWorkspace, openWorkspace } from './fixture';

let root: string;
beforeAll(() => {
  root = makeWorkspace();
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** Items of every chunk (each chunk carries its items under `key`), then those of the result. */
async function drain<R>(s: AsyncIterable<unknown> & { result: Promise<R> }, key: keyof R & string): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const chunk of s) items.push(...((chunk as Record<string, unknown[]>)[key] ?? []));
  items.push(...((await s.result)[key] as unknown[]));
  return items;
}

describe('streamed workspace calls', () => {
  test('searchStream and findFilesStream add up to what search and findFiles answer', async () => {
    const { api } = openWorkspace(root);
    const search = await api.search('needle');
    expect(search.matches.length).toBeGreaterThan(0);
    expect(await drain(api.searchStream('needle'), 'matches')).toEqual(search.matches);
    const found = await api.findFiles('md');
    expect(found.matches.length).toBeGreaterThan(0);
    expect(await drain(api.findFilesStream('md'), 'matches')).toEqual(found.matches);
  });
});
