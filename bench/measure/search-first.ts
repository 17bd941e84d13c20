/**
 * What a person typing a content search feels: time to the first match, and how many bytes main
 * must parse for the whole answer. First match, warm: the project's `workspace.searchStream` from
 * the call until its first chunk reaches main (validated, as a caller's `for await` sees it; the
 * stream is then cancelled, as a newer keystroke would), against `rg -uu` from spawn until its
 * first bytes come through the pipe (then it is stopped). Answer size: the JSON of the complete
 * unstreamed answer, one entry per matching line with its match ranges, against `rg --json` for
 * the same lines (which also sends each line once, with its submatches); the note gives the size
 * the previous shape (one entry per match, each repeating its line or excerpt) would have had,
 * computed from the same answer.
 */
import { spawn } from 'node:child_process';
import { capture } from '../lib/proc';
import { goals, type Report } from '../lib/report';
import { openSession, startAndIndex } from '../lib/sidecar';
import { nowMs, summarize } from '../lib/stats';
import type { Tools } from '../setup';
import type { Corpus } from './corpus';
import { patterns } from './search';
import type { SearchResult } from 'skaffa-sidecars/workspace';

/** Milliseconds from spawning `cmd` until its first stdout bytes; the process is then stopped. */
function timeToFirstOutput(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = nowMs();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let first: number | undefined;
    child.stdout.once('data', () => {
      first = nowMs() - t;
      child.kill();
    });
    child.on('error', reject);
    child.on('close', () => (first === undefined ? reject(new Error(`${cmd} printed nothing`)) : resolve(first)));
  });
}

/** The bytes the answer would have taken as one entry per match, each with its own text. */
function perMatchBytes(r: SearchResult): number {
  let bytes = 0;
  for (const l of r.lines) {
    for (const [s] of l.ranges) {
      const old = { path: l.path, line: l.line, column: s + 1, text: l.text, ...(l.textOffset === undefined ? {} : { textOffset: l.textOffset }) };
      bytes += Buffer.byteLength(JSON.stringify(old)) + 1;
    }
  }
  return bytes;
}

export async function measureSearchFirstMatch(report: Report, corpus: Corpus, tools: Tools, rounds: number): Promise<void> {
  const s = openSession(corpus.root, { noIgnore: true });
  const haveRg = tools.available.rg === true;
  try {
    const { files } = await startAndIndex(s);
    for (const p of patterns(corpus)) {
      const params = { isRegex: p.kind === 'regex', caseSensitive: true, maxResults: 10_000_000 };
      const rgArgs = ['-uu', '--max-columns', '1000', '--max-columns-preview', ...(p.kind === 'literal' ? ['-F'] : []), '-e', p.query, corpus.root];
      const firstChunk = async (): Promise<number> => {
        const t = nowMs();
        const stream = s.workspace.searchStream(p.query, params);
        let ms = NaN;
        for await (const chunk of stream) {
          if (chunk.lines.length > 0) ms = nowMs() - t;
          break;
        }
        // Leaving the loop cancelled it; wait for the answer so rounds do not overlap.
        await stream.result.catch(() => undefined);
        if (Number.isNaN(ms)) ms = nowMs() - t; // nothing streamed: the whole answer was the first
        return ms;
      };
      await firstChunk(); // warm-up
      const project: number[] = [];
      const rg: number[] = [];
      for (let r = 0; r < rounds; r++) {
        project.push(await firstChunk());
        if (haveRg) rg.push(await timeToFirstOutput('rg', rgArgs));
      }
      report.add(
        {
          name: `content search ${p.kind}: first match (streamed, warm)`,
          corpus: corpus.label,
          corpusFiles: files,
          unit: 'ms',
          project: summarize(project),
          peer: 'rg -uu first line',
          peerResult: haveRg ? summarize(rg) : null,
          skipped: haveRg ? undefined : String(tools.available.rg),
          note: `/${p.query}/: from the call to the first chunk in main; rg from spawn to its first bytes through a pipe`,
        },
        goals.atMost(50, '≤ 50 ms'),
      );

      const whole = await s.workspace.search(p.query, params);
      const bytes = Buffer.byteLength(JSON.stringify(whole));
      const rgJson = haveRg ? Buffer.byteLength((await capture('rg', ['--json', ...rgArgs])).out) : NaN;
      const mb = (b: number) => ({ ...summarize([b / 1e6]) });
      report.add(
        {
          name: `content search ${p.kind}: answer size`,
          corpus: corpus.label,
          corpusFiles: files,
          unit: 'MB',
          project: mb(bytes),
          peer: 'rg --json',
          peerResult: haveRg ? mb(rgJson) : null,
          skipped: haveRg ? undefined : String(tools.available.rg),
          note: `/${p.query}/: ${whole.lines.length} lines; as one entry per match repeating its text it would be ${(perMatchBytes(whole) / 1e6).toFixed(2)} MB`,
        },
        goals.ratioAtMost(1.0, '≤ 1.0× rg --json'),
      );
    }
  } finally {
    await s.close();
  }
}
