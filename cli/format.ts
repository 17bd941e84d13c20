/**
 * Human-readable rendering shared by the one-shot commands and the interactive mode: fuzzy
 * matches with their matched characters highlighted, search hits as `path:line:col text` (the
 * format editors and terminals turn into links; col is the line's first match) with every match
 * of the line highlighted from the sidecar's ranges, code symbols as `name  kind  path:line` and
 * outlines, file previews, byte and memory figures, and the `sidecars` table. Colours come from picocolors, which switches itself off when output is not a
 * terminal or NO_COLOR is set, so piped output stays plain.
 */
import * as fs from 'node:fs';
import pc from 'picocolors';
import type { SidecarInfo } from 'skaffa-sidecars';
import type { DocumentSymbol, WorkspaceSymbol } from 'skaffa-sidecars/typescript';
import type { FuzzyMatch, SearchLine } from 'skaffa-sidecars/workspace';

/** Colours, re-exported so other CLI files need not know which library provides them. */
export const color = pc;

/**
 * A path with the characters the fuzzy matcher picked in bold cyan. `positions` are UTF-16
 * indices, which is exactly how a JS string indexes, so no conversion is needed.
 */
export function highlightMatch(m: Pick<FuzzyMatch, 'path' | 'positions'>, mark: (s: string) => string = (s) => pc.bold(pc.cyan(s))): string {
  if (m.positions.length === 0) return m.path;
  const marks = new Set(m.positions);
  let out = '';
  for (let i = 0; i < m.path.length; i++) out += marks.has(i) ? mark(m.path[i]!) : m.path[i];
  return out;
}

/** One matching line as `path:line:col text` (col: its first match, 1-based UTF-16), trimmed to fit a terminal line. */
export function formatSearchHit(l: SearchLine, width = 160): string {
  const where = `${pc.magenta(l.path)}:${pc.green(String(l.line))}:${l.ranges[0]![0] + 1}`;
  const indent = l.text.length - l.text.trimStart().length;
  const body = l.text.trimEnd().slice(indent);
  const clipped = body.length > width;
  const visible = clipped ? body.slice(0, Math.max(0, width - 1)) : body;
  return `${where} ${markRanges(visible, l.ranges, (l.textOffset ?? 0) + indent)}${clipped ? '…' : ''}`;
}

/**
 * A workspace symbol as `name  kind  path:line`, the line 1-based (the sidecar's positions are
 * LSP's, 0-based) so `path:line` is what editors and terminals open.
 */
export function formatSymbol(s: Pick<WorkspaceSymbol, 'name' | 'kind' | 'path' | 'range'>): string {
  return `${pc.bold(s.name)}  ${pc.dim(s.kind)}  ${pc.magenta(s.path)}:${pc.green(String(s.range.start.line + 1))}`;
}

/** An outline as an indented tree, one `name  kind  line` row per declaration (1-based lines). */
export function formatOutline(symbols: DocumentSymbol[], depth = 0): string[] {
  return symbols.flatMap((s) => [
    `${'  '.repeat(depth)}${pc.bold(s.name)}  ${pc.dim(s.kind)}  ${pc.green(String(s.selectionRange.start.line + 1))}`,
    ...formatOutline(s.children ?? [], depth + 1),
  ]);
}

/**
 * `text` with the parts that `ranges` cover in bold cyan. `ranges` are UTF-16 offsets in the whole
 * line and `text` starts at offset `start` of it (excerpts, trimmed indentation), so each range is
 * shifted by `start` and clipped to the text; ranges outside it are left out.
 */
export function markRanges(text: string, ranges: ReadonlyArray<readonly [number, number]>, start = 0, mark: (s: string) => string = (s) => pc.bold(pc.cyan(s))): string {
  let out = '';
  let at = 0;
  for (const [s, e] of ranges) {
    const from = Math.max(at, Math.min(text.length, s - start));
    const to = Math.max(from, Math.min(text.length, e - start));
    if (to === from) continue;
    out += text.slice(at, from) + mark(text.slice(from, to));
    at = to;
  }
  return out + text.slice(at);
}

/** Shortens `s` to `max` characters with an ellipsis. */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Lines `from`..`from + count - 1` (1-based) of a text, numbered like `cat -n`, for previews;
 * line `mark` (a search hit) is drawn in bold with a pointer; `width` cuts long lines to fit.
 */
export function previewLines(content: string, opts: { from?: number; count: number; mark?: number; width?: number }): string[] {
  const lines = content.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const from = Math.max(1, opts.from ?? 1);
  const shown = lines.slice(from - 1, from - 1 + opts.count);
  const width = String(from + shown.length - 1).length;
  const out = shown.map((full, i) => {
    const n = from + i;
    // Long lines are cut rather than wrapped, so the numbers stay in one column.
    const l = opts.width ? truncate(full, Math.max(10, opts.width - width - 3)) : full;
    return n === opts.mark ? `${pc.yellow('>')}${pc.bold(String(n).padStart(width))}  ${pc.bold(l)}` : ` ${pc.dim(String(n).padStart(width))}  ${l}`;
  });
  const rest = lines.length - (from - 1 + shown.length);
  if (rest > 0) out.push(pc.dim(`  … ${rest} more lines`));
  return out;
}

/**
 * Resident memory of a sidecar from /proc (Linux only), or undefined elsewhere. `pid` is the
 * process main launched: when that is skaffa-reaper, the memory is its child's, the sidecar's.
 */
export function rssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'skaffa-reaper') {
      pid = Number(fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ')[0]);
    }
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** `1536` → `1.5 KiB`. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined) return 'n/a';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** The `sidecars` listing: name, state, resolved binary and where it came from, methods. */
export function formatSidecars(list: SidecarInfo[]): string[] {
  const out: string[] = [];
  for (const s of list) {
    out.push(`${pc.bold(s.name)}  ${stateColor(s.state)}${s.pid ? pc.dim(` pid ${s.pid}`) : ''}${s.description ? pc.dim(`  ${s.description}`) : ''}`);
    if (s.binary.path) {
      out.push(`  binary  ${s.binary.path} ${pc.dim(`(from ${describeSource(s.binary.source)})`)}`);
    } else {
      out.push(`  binary  ${pc.red('not found')}: ${s.binary.error?.split('\n')[0] ?? 'unknown reason'}`);
    }
    for (const c of s.binary.candidates) {
      if (c.path === s.binary.path) continue;
      const verb = !s.binary.path ? 'tried' : c.status === 'ok' ? 'also found' : 'also tried';
      out.push(pc.dim(`          ${verb} ${c.source}${c.envVar ? ` ${c.envVar}` : ''}: ${c.path} — ${c.status}`));
    }
    out.push(`  methods ${s.methods.join(', ')}`);
  }
  return out;
}

function stateColor(state: string): string {
  if (state === 'ready') return pc.green(state);
  if (state === 'failed' || state === 'backoff') return pc.red(state);
  return pc.yellow(state);
}

/** Resolver sources in words a person understands. */
function describeSource(source: string | undefined): string {
  switch (source) {
    case 'env':
      return 'environment override';
    case 'dev':
      return 'cargo target/ of this repository';
    case 'platform-package':
      return 'installed platform package';
    case 'packaged':
      return 'app resources';
    case 'command':
      return 'command in the manifest';
    default:
      return source ?? 'unknown';
  }
}
