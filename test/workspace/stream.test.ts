/**
 * The streamed forms of `WorkspaceAPI` (`searchStream`, `findFilesStream`) against the real
 * workspace binary. Whatever the sidecar streams, the items of the chunks followed by those of the
 * final result must be exactly what the unstreamed call answers. `workspace/search` really
 * streams: its chunks arrive already in (path, line) order, each is checked against
 * `search.partial.json` on arrival, leaving the loop early cancels the search in the sidecar,
 * and its deadline ends a stream with what was found. (`findFiles` does not stream yet, so for
 * it this checks the plumbing.)
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import { SidecarError } from '../../core/errors';
import { rejectionOf } from '../helpers';
import { makeWorkspace, openWorkspace } from './fixture';

let root: string;
beforeAll(() => {
  root = makeWorkspace();
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** Items of every chunk (each chunk carries its items under `key`), then those of the result. */
async function drain<R>(s: AsyncIterable<unknown> & { result: Promise<R> }, key: keyof R & string): Promise<{ items: unknown[]; chunks: number }> {
  const items: unknown[] = [];
  let chunks = 0;
  for await (const chunk of s) {
    chunks++;
    items.push(...((chunk as Record<string, unknown[]>)[key] ?? []));
  }
  items.push(...((await s.result)[key] as unknown[]));
  return { items, chunks };
}

describe('streamed workspace calls', () => {
  test('searchStream and findFilesStream add up to what search and findFiles answer', async () => {
    const { api } = openWorkspace(root);
    const search = await api.search('needle');
    expect(search.lines.length).toBeGreaterThan(0);
    expect((await drain(api.searchStream('needle'), 'lines')).items).toEqual(search.lines);
    const found = await api.findFiles('md', { waitForIndex: true });
    expect(found.matches.length).toBeGreaterThan(0);
    expect((await drain(api.findFilesStream('md', { waitForIndex: true }), 'matches')).items).toEqual(found.matches);
  });

  describe('on a larger tree', () => {
    let big: string;
    beforeAll(() => {
      const extra: Record<string, string> = {};
      // 2,000 files with two matching lines each: more than one chunk's worth.
      for (let i = 0; i < 2000; i++) extra[`many/d${i % 9}/f${String(i).padStart(4, '0')}.txt`] = `needle one needle\nhay\n${i} needle\n`;
      big = makeWorkspace(extra);
    });
    afterAll(() => fs.rmSync(big, { recursive: true, force: true }));

    test('chunks arrive sorted and, with the result, equal the unstreamed answer, also when maxResults cuts it', async () => {
      const { api } = openWorkspace(big);
      for (const maxResults of [undefined, 3001]) {
        const whole = await api.search('needle', { maxResults });
        const s = api.searchStream('needle', { maxResults });
        const { items, chunks } = await drain(s, 'lines');
        expect(items).toEqual(whole.lines);
        const final = await s.result;
        // How many files a capped search got through depends on how the threads raced.
        const summary = (r: typeof final) => ({ ...r, lines: [], filesSearched: r.truncated ? 0 : r.filesSearched });
        expect(summary(final)).toEqual(summary(whole));
        const keys = whole.lines.map((l) => `${l.path}\u0000${String(l.line).padStart(8, '0')}`);
        expect([...keys].sort()).toEqual(keys);
        if (maxResults === undefined) {
          expect(chunks).toBeGreaterThanOrEqual(2);
          expect(whole.lines.length).toBe(4000 + 9);
        } else {
          expect(whole.lines.reduce((n, l) => n + l.ranges.length, 0)).toBe(maxResults);
          expect(whole.truncatedBy).toBe('maxResults');
        }
      }
    }, 180_000); // four searches of 2,000 files: seconds natively, a minute or more under wine

    test('leaving the loop after the first chunk cancels the search, and the sidecar goes on serving', async () => {
      const { api, registry } = openWorkspace(big);
      await api.status();
      const sent: string[] = [];
      registry.on('trace', (t) => {
        const m = t.message as { method?: string; params?: { id?: string } };
        if (t.direction === 'send' && m.method) sent.push(m.method);
      });
      const s = api.searchStream('needle');
      let seen = 0;
      for await (const chunk of s) {
        seen += chunk.lines.length;
        break;
      }
      expect(seen).toBeGreaterThan(0);
      expect(((await rejectionOf(s.result)) as SidecarError).code).toBe('CANCELLED');
      expect(sent).toContain('$/cancel');
      const again = await api.search('needle', { maxResults: 5 });
      expect(again.lines.reduce((n, l) => n + l.ranges.length, 0)).toBe(5);
    });

    test('the deadline ends a stream with what it found, flagged as truncated by the deadline', async () => {
      const { api } = openWorkspace(big);
      const s = api.searchStream('needle', { deadlineMs: 1 });
      const { items } = await drain(s, 'lines');
      const final = await s.result;
      expect(final).toMatchObject({ truncated: true, truncatedBy: 'deadline' });
      expect(items.length).toBeLessThan(4009);
      const complete = await api.search('needle');
      expect(complete).toMatchObject({ truncated: false });
    });
  });
});
