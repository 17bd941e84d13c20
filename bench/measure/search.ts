/**
 * Content search, literal and regex, warm (each pattern runs once before timing, so the page
 * cache and the sidecar's index are hot). Project: `workspace.search` end to end, case-sensitive,
 * every match (maxResults high), over the same files rg sees (`--no-ignore`). Peer: `rg -uu` with
 * the same pattern, its output read by Node through a pipe as main would read it, and
 * `--max-columns 1000 --max-columns-preview` because the sidecar also returns at most 1000 bytes
 * of a long (minified) line; without it rg would print 70+ MB of minified lines for one pattern.
 */
import { capture } from '../lib/proc';
import { goals, type Report } from '../lib/report';
import { openSession, startAndIndex } from '../lib/sidecar';
import { nowMs, summarize } from '../lib/stats';
import type { Tools } from '../setup';
import type { Corpus } from './corpus';

export interface Pattern {
  kind: 'literal' | 'regex';
  query: string;
}

/** Patterns with a moderate number of hits on each corpus (hundreds to ~10k lines). */
export function patterns(corpus: Corpus): Pattern[] {
  if (corpus.kind === 'generated') {
    return [
      { kind: 'literal', query: 'logger.warn' },
      { kind: 'regex', query: 'TODO: \\w+ the' },
    ];
  }
  return [
    { kind: 'literal', query: 'XMLHttpRequest' },
    { kind: 'regex', query: 'new [A-Z]\\w+Error\\(' },
  ];
}

export async function measureSearch(report: Report, corpus: Corpus, tools: Tools, rounds: number): Promise<void> {
  const s = openSession(corpus.root, { noIgnore: true });
  try {
    const { files } = await startAndIndex(s);
    for (const p of patterns(corpus)) {
      const search = () => s.workspace.search(p.query, { isRegex: p.kind === 'regex', caseSensitive: true, maxResults: 10_000_000 });
      const rgArgs = ['-uu', '--max-columns', '1000', '--max-columns-preview', ...(p.kind === 'literal' ? ['-F'] : []), '-e', p.query, corpus.root];
      const haveRg = tools.available.rg === true;
      const first = await search(); // warm-up
      let rgLines = NaN;
      if (haveRg) rgLines = (await capture('rg', rgArgs)).out.split('\n').length - 1;
      const project: number[] = [];
      const rg: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const t = nowMs();
        await search();
        project.push(nowMs() - t);
        if (haveRg) rg.push((await capture('rg', rgArgs)).ms);
      }
      report.add(
        {
          name: `content search ${p.kind} (warm)`,
          corpus: corpus.label,
          corpusFiles: files,
          unit: 'ms',
          project: summarize(project),
          peer: 'rg -uu',
          peerResult: haveRg ? summarize(rg) : null,
          skipped: haveRg ? undefined : String(tools.available.rg),
          note: `/${p.query}/: project ${first.lines.reduce((n, l) => n + l.ranges.length, 0)} matches on ${first.lines.length} lines in ${first.filesSearched} files${first.truncated ? ' (truncated)' : ''}; rg ${rgLines} lines`,
        },
        goals.ratioAtMost(1.0, '≤ 1.0× rg'),
      );
    }
  } finally {
    await s.close();
  }
}
