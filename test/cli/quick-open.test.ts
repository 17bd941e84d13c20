/**
 * Quick open while the first index builds, in process: the real list prompt (on @inquirer/core)
 * reads scripted keystrokes from a stream and draws into a buffer, against a real workspace
 * sidecar whose first scan is held after a known number of files (see
 * `test/workspace/held-scan.ts`). It must show matches from the first keystroke with the
 * "indexing…" line, and once the scan is released, refresh the list by itself (no keystroke) to
 * the full answer. The tracker's pacing, the prompt's keep-the-selection rule and the "@" symbol
 * rows (with a test double of the TypeScriptAPI) are checked against fakes.
 */
import { IndexTracker, type IndexSource } from '../../cli/index-tracker';
import { liveSearch, type LiveChoice } from '../../cli/live-search';
import { openQuickOpen, type SymbolSource } from '../../cli/quick-open';
import type { WorkspaceSymbol } from '../../sidecars/typescript';
import { WorkspaceEvents, workspaceManifest } from '../../sidecars/workspace';
import { clearHold, heldTree, HOLD_AFTER, openHeld } from '../workspace/held-scan';
import { underWine } from '../windows/wine';
import { header, symbolRows, terminal, until } from './terminal';

afterEach(clearHold);

// Not tried under wine (the Windows build's run): the held-scan seam is exercised on the host.
const describeHere = underWine ? describe.skip : describe;

describeHere('quick open while indexing', () => {
  test('shows matches from the first keystroke and refreshes itself when the index completes', async () => {
    const { root, ours } = heldTree();
    const { api, registry, release } = openHeld(root);
    const client = registry.client(workspaceManifest);
    const source: IndexSource = {
      start: () => registry.start([workspaceManifest.name]),
      untilReady: async () => {
        await api.glob(['**'], { limit: 1 });
        const s = await api.status();
        return { files: s.files, watching: s.watching };
      },
      onProgress: (fn) => {
        const sub = client.onEvent(WorkspaceEvents.indexProgress, (d) => fn(d.files));
        return () => sub.dispose();
      },
    };
    const index = new IndexTracker(source, 50);
    // Which files the held scan found: the target is one it has not, so only a refresh shows it.
    let found = new Set<string>();
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = await api.findFiles('file', { limit: 1000 });
      found = new Set(r.matches.map((m) => m.path));
      if ((r.indexing?.filesSoFar ?? 0) >= HOLD_AFTER) break;
      if (Date.now() > deadline) throw new Error('the held scan never reached its count');
    }
    const target = ours.find((p) => !found.has(p))!;
    // Its three digits, run together in its name: the whole index ranks it first for them.
    const digits = /file(\d{3})/.exec(target)![1]!;

    const t = terminal();
    const prompt = openQuickOpen(api, index, { rows: 20, cols: 120, io: t.io });
    // The first keystrokes already list files, all of them among those found so far.
    t.type('file');
    await until('a partial list', () => header(t.screen()).endsWith('file') && rowsOf(t.screen()).length > 0, t.screen);
    expect(t.screen()).toMatch(/indexing… \d+ files so far/);
    expect(rowsOf(t.screen()).every((p) => found.has(p))).toBe(true);
    t.type('\x7f'.repeat(4) + digits);
    await until('the digits typed', () => header(t.screen()).endsWith(digits), t.screen);
    expect(rowsOf(t.screen())).not.toContain(target);

    release();
    // The cursor was never moved, so it is on the new best match.
    await until('the refreshed list', () => t.screen().includes(`❯ ${target}`) && t.screen().includes('index ready'), t.screen);
    expect(rowsOf(t.screen())[0]).toBe(target);
    expect(t.screen()).toMatch(new RegExp(`index ready: ${(await api.status()).files} files`));
    t.type('\r');
    await expect(prompt).resolves.toEqual({ path: target });
  });
});

/** The list rows (paths) of a drawn frame. */
function rowsOf(screen: string): string[] {
  return screen
    .split('\n')
    .map((l) => /^[❯ ] (\S+)$/.exec(l.trimEnd())?.[1])
    .filter((p): p is string => p !== undefined && p.includes('/'));
}

describe('the index tracker', () => {
  function fake() {
    let progress: (n: number) => void = () => undefined;
    let ready!: (r: { files: number; watching: boolean }) => void;
    let fail!: (e: Error) => void;
    const source: IndexSource = {
      start: () => Promise.resolve(),
      untilReady: () => new Promise((res, rej) => ((ready = res), (fail = rej))),
      onProgress: (fn) => {
        progress = fn;
        return () => (progress = () => undefined);
      },
    };
    return { source, progress: (n: number) => progress(n), ready: (files: number) => ready({ files, watching: true }), fail: (e: Error) => fail(e) };
  }

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('tells listeners at most once per interval while the count grows, and at once when ready', async () => {
    const f = fake();
    const index = new IndexTracker(f.source, 100, () => Date.now());
    let calls = 0;
    index.subscribe(() => calls++);
    await Promise.resolve();
    f.progress(10);
    f.progress(20);
    expect(index.state()).toEqual({ ready: false, files: 20 });
    expect(calls).toBe(0);
    jest.advanceTimersByTime(0);
    expect(calls).toBe(1); // the first change goes out at once
    f.progress(30);
    f.progress(40);
    jest.advanceTimersByTime(99);
    expect(calls).toBe(1);
    jest.advanceTimersByTime(1);
    expect(calls).toBe(2);
    index.found(35); // fewer than known: no change
    jest.advanceTimersByTime(1000);
    expect(calls).toBe(2);
    f.progress(50);
    f.ready(60);
    await expect(index.ready).resolves.toMatchObject({ files: 60, watching: true });
    expect(calls).toBe(3); // ready, with the pending progress folded in
    expect(index.state()).toMatchObject({ ready: true, files: 60 });
    f.progress(70); // after ready, progress is no news
    jest.advanceTimersByTime(1000);
    expect(calls).toBe(3);
  });

  test('a failed index rejects `ready`', async () => {
    const f = fake();
    const index = new IndexTracker(f.source, 100, () => Date.now());
    await Promise.resolve();
    f.fail(new Error('no binary'));
    await expect(index.ready).rejects.toThrow('no binary');
  });
});

describe('the live list', () => {
  test('a refresh reruns the query without a keystroke and keeps the selected row', async () => {
    let generation = 0;
    let refresh: () => void = () => undefined;
    const rows = (names: string[]): LiveChoice<string>[] => names.map((n) => ({ value: n, name: n, short: n }));
    const t = terminal();
    const prompt = liveSearch<string>(
      {
        message: 'Quick open',
        source: async (term) => (term === '' ? [] : generation === 0 ? rows(['a/one', 'a/two']) : rows(['a/zero', 'a/one', 'a/two'])),
        subscribe: (fn) => {
          refresh = fn;
          return () => (refresh = () => undefined);
        },
        status: () => `generation ${generation}`,
      },
      t.io,
    );
    t.type('a');
    await until('the first list', () => rowsOf(t.screen()).join() === 'a/one,a/two', t.screen);
    t.type('\u001b[B'); // ↓ to a/two
    await until('the selection to move', () => t.screen().includes('❯ a/two'), t.screen);
    generation = 1;
    refresh();
    await until('the refreshed list', () => rowsOf(t.screen()).join() === 'a/zero,a/one,a/two' && t.screen().includes('generation 1'), t.screen);
    expect(t.screen()).toContain('❯ a/two');
    t.type('\r');
    await expect(prompt).resolves.toBe('a/two');
  });
});

describe('the "@" prefix', () => {
  const at = (name: string, path: string, line: number): WorkspaceSymbol => ({
    name,
    kind: 'component',
    path,
    range: { start: { line, character: 0 }, end: { line, character: name.length } },
    exported: true,
  });

  test('lists symbols as name  kind  path:line, and runs again by itself when the symbol index is built', async () => {
    let built = false;
    let finishBuild!: () => void;
    const buildDone = new Promise<void>((r) => (finishBuild = r));
    const asked: string[] = [];
    // A test double of the TypeScriptAPI: a partial answer until the build ends, then the whole one.
    const typescript: SymbolSource = {
      symbols: async (query) => {
        asked.push(query);
        const found = [at('Button', 'src/Button.tsx', 4), ...(built ? [at('ButtonGroup', 'src/ButtonGroup.tsx', 2)] : [])];
        return built ? { symbols: found } : { symbols: found, indexing: true };
      },
      symbolsStream: () => ({ result: buildDone.then(() => ({ symbols: [] })) }) as unknown as ReturnType<SymbolSource['symbolsStream']>,
    };
    // File matches would show up as rows too, so a term that went to findFiles cannot pass.
    const workspace = {
      findFiles: async () => ({ matches: [{ path: 'not/a/symbol.ts', score: 1, positions: [] }] }),
      search: async () => ({ lines: [], filesSearched: 0, truncated: false }),
    } as unknown as Parameters<typeof openQuickOpen>[0];
    const index = new IndexTracker({ start: async () => undefined, untilReady: () => new Promise(() => undefined), onProgress: () => () => undefined });
    const t = terminal();
    const prompt = openQuickOpen(workspace, index, { rows: 20, cols: 120, io: t.io, typescript });
    t.type('@Butt');
    await until('the partial symbol list', () => symbolRows(t.screen()).length === 1, t.screen);
    expect(symbolRows(t.screen())).toEqual(['Button  component  src/Button.tsx:5']);
    expect(asked).toContain('Butt'); // the prefix is not part of the query
    built = true;
    finishBuild();
    await until('the refreshed symbol list', () => symbolRows(t.screen()).length === 2, t.screen);
    expect(symbolRows(t.screen())).toEqual(['Button  component  src/Button.tsx:5', 'ButtonGroup  component  src/ButtonGroup.tsx:3']);
    t.type('\r');
    await expect(prompt).resolves.toEqual({ path: 'src/Button.tsx', line: 5 });
  });
});
