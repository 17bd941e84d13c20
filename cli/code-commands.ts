/**
 * The code one-shots: `symbols`, `outline` and `importers`, answered by the typescript analysis
 * sidecar through the session's TypeScriptAPI (public API only). Like `find`, `symbols` and
 * `importers` return 1 when nothing matched so scripts can test for a hit, and print their JSON
 * document either way; `outline` of a file that no longer parses prints its last good outline and
 * says it is stale.
 */
import type { Invocation } from './args';
import { ExitCode } from './errors';
import { color, formatOutline, formatSymbol } from './format';
import type { Output } from './output';
import type { Session } from './session';

/** The invocations this file runs. */
export type CodeCommand = Extract<Invocation, { kind: 'symbols' | 'outline' | 'importers' }>;

/** Runs a code one-shot and returns its exit code; failures are thrown as errors. */
export function runCodeCommand(inv: CodeCommand, session: Session, out: Output): Promise<number> {
  switch (inv.kind) {
    case 'symbols':
      return symbols(inv, session, out);
    case 'outline':
      return outline(inv, session, out);
    case 'importers':
      return importers(inv, session, out);
  }
}

async function symbols(inv: Extract<CodeCommand, { kind: 'symbols' }>, session: Session, out: Output): Promise<number> {
  // While the first index builds, `symbols` answers from the files parsed so far. A script wants the
  // whole, ranked answer: the stream ends once the build is done, and if any of it came from a
  // partial index the query runs once more over the finished one.
  const stream = session.typescript.symbolsStream(inv.query, { limit: inv.limit });
  let partial = false;
  for await (const chunk of stream) partial ||= chunk.indexing === true;
  let result = await stream.result;
  if (partial || result.indexing) result = await session.typescript.symbols(inv.query, { limit: inv.limit });
  const found = result.symbols;
  if (out.json) out.document({ query: inv.query, symbols: found });
  else out.lines(found.map((s) => formatSymbol(s)));
  if (found.length === 0 && !out.json) out.note(`no symbol matches "${inv.query}"`);
  return found.length > 0 ? ExitCode.ok : ExitCode.noMatch;
}

async function outline(inv: Extract<CodeCommand, { kind: 'outline' }>, session: Session, out: Output): Promise<number> {
  const result = await session.typescript.outline(inv.path);
  if (out.json) {
    out.document(result);
    return ExitCode.ok;
  }
  out.lines(formatOutline(result.symbols));
  for (const d of result.diagnostics) out.note(`${result.path}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${color.red(d.message)}`);
  if (result.stale) out.note(color.yellow(`${result.path} no longer parses: this is its last good outline`));
  else if (result.symbols.length === 0) out.note(color.dim(`${result.path} declares nothing`));
  return ExitCode.ok;
}

async function importers(inv: Extract<CodeCommand, { kind: 'importers' }>, session: Session, out: Output): Promise<number> {
  const result = await session.typescript.importers(inv.path, { transitive: inv.transitive });
  if (out.json) out.document(result);
  else {
    out.lines(result.importers.map((i) => `${color.magenta(i.path)}  ${color.dim(i.kind)}  ${i.specifier}${i.via ? color.dim(`  (via ${i.via})`) : ''}`));
    if (result.importers.length === 0) out.note(`nothing imports ${result.path}`);
  }
  return result.importers.length > 0 ? ExitCode.ok : ExitCode.noMatch;
}
