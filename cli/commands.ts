/**
 * The one-shot commands: find, search, glob, read, status, call and sidecars (the code ones,
 * symbols, outline and importers, are in `code-commands.ts`). Each takes the
 * parsed invocation, uses the WorkspaceAPI or the registry (public API only), prints either human
 * lines or one JSON document, and returns the exit code. `find` and `search` return 1 when nothing
 * matched, like grep, so scripts can test for a hit; their JSON output is printed either way.
 */
import type { ReadFileResult, SearchLine } from 'skaffa-sidecars/workspace';
import type { Invocation } from './args';
import { runCodeCommand } from './code-commands';
import { ExitCode } from './errors';
import { color, formatBytes, formatSearchHit, formatSidecars, highlightMatch } from './format';
import type { Output } from './output';
import type { Session } from './session';

/** The first unportable paths `status.skipped` names, in parentheses (and `...` for the rest). */
function named(skipped: { unportable: number; unportableSample: string[] }): string {
  if (skipped.unportable === 0) return '';
  return ` (${skipped.unportableSample.join(', ')}${skipped.unportable > skipped.unportableSample.length ? ', ...' : ''})`;
}

type OneShot = Exclude<Invocation, { kind: 'watch' } | { kind: 'interactive' } | { kind: 'conformance' }>;

/** Runs a one-shot command and returns its exit code; failures are thrown as errors. */
export async function runCommand(inv: OneShot, session: Session, out: Output): Promise<number> {
  switch (inv.kind) {
    case 'find':
      return find(inv, session, out);
    case 'search':
      return search(inv, session, out);
    case 'glob':
      return glob(inv, session, out);
    case 'read':
      return read(inv, session, out);
    case 'status': {
      // A fresh sidecar is always "indexing 0 files"; by default show the figures of a built (and,
      // from a cache's snapshot, verified) index.
      if (inv.wait) await session.workspace.glob(['**'], { limit: 1, waitForIndex: true });
      const status = await session.workspace.status();
      if (out.json) out.document(status);
      else {
        out.lines([
          `root        ${status.root}`,
          `state       ${status.state === 'ready' ? color.green(status.state) : color.yellow(status.state)}`,
          `files       ${status.files}`,
          `generation  ${status.generation}`,
          `watching    ${status.watching}${status.watchLimit ? color.yellow(` (out of watches, rescanning every ${status.watchLimit.rescanMs} ms: ${status.watchLimit.message})`) : ''}`,
          `skipped     ${status.skipped.nonUtf8} not UTF-8, ${status.skipped.unportable} named as Windows cannot hold${named(status.skipped)}, ${status.skipped.errors} unreadable`,
        ]);
      }
      return ExitCode.ok;
    }
    case 'call': {
      // The registry validates params and result against the sidecar's schemas: bad params come
      // back as INVALID_PARAMS before anything is sent.
      const result = await session.registry.call(inv.sidecar, inv.method, inv.params);
      out.document(result);
      return ExitCode.ok;
    }
    case 'symbols':
    case 'outline':
    case 'importers':
      return runCodeCommand(inv, session, out);
    case 'sidecars': {
      const list = session.registry.list();
      if (out.json) out.document(list);
      else out.lines(formatSidecars(list));
      return ExitCode.ok;
    }
  }
}

async function find(inv: Extract<Invocation, { kind: 'find' }>, session: Session, out: Output): Promise<number> {
  // A script wants the whole answer, not the best of what the first scan has found so far.
  const { matches } = await session.workspace.findFiles(inv.query, { limit: inv.limit, waitForIndex: true });
  if (out.json) out.document({ query: inv.query, matches });
  else out.lines(matches.map((m) => `${highlightMatch(m)} ${color.dim(String(m.score))}`));
  if (matches.length === 0 && !out.json) out.note(`no file matches "${inv.query}"`);
  return matches.length > 0 ? ExitCode.ok : ExitCode.noMatch;
}

async function search(inv: Extract<Invocation, { kind: 'search' }>, session: Session, out: Output): Promise<number> {
  const params = {
    isRegex: inv.regex,
    caseSensitive: inv.caseSensitive,
    wholeWord: inv.word,
    include: inv.include.length > 0 ? inv.include : undefined,
    exclude: inv.exclude.length > 0 ? inv.exclude : undefined,
    maxResults: inv.max,
  };
  if (out.json) {
    const result = await session.workspace.search(inv.pattern, params);
    out.document({ pattern: inv.pattern, ...result });
    return result.lines.length > 0 ? ExitCode.ok : ExitCode.noMatch;
  }
  // Streamed: lines print as the sidecar finds them (already in path order), like rg.
  const stream = session.workspace.searchStream(inv.pattern, params);
  let lines = 0;
  let matches = 0;
  const print = (batch: SearchLine[]) => {
    out.lines(batch.map((l) => formatSearchHit(l)));
    lines += batch.length;
    for (const l of batch) matches += l.ranges.length;
  };
  for await (const chunk of stream) print(chunk.lines);
  const result = await stream.result;
  print(result.lines);
  const more =
    result.truncatedBy === 'deadline' ? '; stopped at the search deadline' : result.truncated ? `; stopped at ${inv.max} matches (raise with --max)` : '';
  out.note(color.dim(`${matches} matches on ${lines} lines in ${result.filesSearched} files searched${more}`));
  return lines > 0 ? ExitCode.ok : ExitCode.noMatch;
}

async function glob(inv: Extract<Invocation, { kind: 'glob' }>, session: Session, out: Output): Promise<number> {
  const result = await session.workspace.glob(inv.patterns, { exclude: inv.exclude.length > 0 ? inv.exclude : undefined, limit: inv.limit });
  if (out.json) out.document(result);
  else {
    out.lines(result.paths);
    if (result.truncated) out.note(color.dim(`(first ${result.paths.length} shown; raise with --limit)`));
  }
  return ExitCode.ok;
}

async function read(inv: Extract<Invocation, { kind: 'read' }>, session: Session, out: Output): Promise<number> {
  const file: ReadFileResult = await session.workspace.readFile(inv.path, { encoding: inv.base64 ? 'base64' : 'utf8', maxBytes: inv.maxBytes });
  if (out.json) out.document(file);
  else {
    // Raw content, so `skaffa read x > copy` gives the file back unchanged.
    out.raw(file.content);
    out.note(color.dim(`${file.path}: ${formatBytes(file.size)}, ${file.encoding}, hash ${file.hash}`));
  }
  return ExitCode.ok;
}
