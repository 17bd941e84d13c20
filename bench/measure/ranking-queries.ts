/**
 * Queries for the ranking benchmark, generated from a path list the way people type quick open,
 * deterministically from a seed. Each query has one target path and a type:
 *
 * - `name`: the whole file name (`fuzzyscorer.ts`); `stem`: the name without its last extension
 *   (`fuzzyscorer`);
 * - `prefix`: a prefix of the name (3 characters up to the stem's length less one, drawn at
 *   random), lengthened until no other file name starts with it, the way a person types until the
 *   file is named;
 * - `abbrev`: the first letter of each word of the stem (camelCase and PascalCase humps, digits,
 *   `-`, `_`, `.`; two words or more), or the first two letters of each when that gives fewer than
 *   three characters: `FuzzyScorer` → `fusc`, `class-scope-manager` → `csm`;
 * - `folder/name`: a prefix of the parent folder's name (3–5 characters, or all of it) and of the
 *   stem (3–6), the stem's lengthened until no other file whose folder starts with the same
 *   fragment has a name starting with it (`common/fuzzy`); `foldername` is the same query
 *   without the slash (`commonfuzzy`), which VS Code ranks well.
 *
 * Queries are lower case (every scorer here is case-insensitive on lower-case input) and made
 * of `[a-z0-9._/-]` only, so fzf's and nucleo's query syntax (`^ $ ! ' |`, spaces) never applies.
 *
 * Duplicates: a query is kept only when its rule names its target alone: a `name` query whose
 * file name occurs in several folders (`index.ts`, `mod.rs`, `format.test.js`), a `stem` shared
 * by `class.js` and `class.ts`, an abbreviation that another file's stem also gives, are all left
 * out and counted, because no scorer can tell which of the equals the person meant, and counting
 * a hit for any of them would reward nothing. What remains asks: given a query that identifies
 * one file by how it was typed, does the scorer rank that file first?
 */
import { rng } from '../corpus/generate';

export const QUERY_TYPES = ['name', 'stem', 'prefix', 'abbrev', 'folder/name', 'foldername'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

export interface RankingQuery {
  type: QueryType;
  query: string;
  target: string;
}

const ALLOWED = /^[a-z0-9._/-]+$/;

interface Parts {
  path: string;
  name: string;
  stem: string;
  folder: string;
}

function parts(p: string): Parts {
  const slash = p.lastIndexOf('/');
  const name = p.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const folder = slash < 0 ? '' : p.slice(p.lastIndexOf('/', slash - 1) + 1, slash);
  return { path: p, name: name.toLowerCase(), stem: stem.toLowerCase(), folder: folder.toLowerCase() };
}

/** The words of a stem as a person reads them: `XMLHttpRequest2` → XML, Http, Request, 2. */
export function words(stem: string): string[] {
  return stem
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])([0-9])/g, '$1 $2')
    .replace(/([0-9])([A-Za-z])/g, '$1 $2')
    .split(/[\s\-_.]+/)
    .filter(Boolean);
}

/** The `abbrev` query of a stem (original case, for the humps), or undefined for one word. */
export function abbreviation(stem: string): string | undefined {
  const ws = words(stem);
  if (ws.length < 2) return undefined;
  let q = ws.map((w) => w[0]).join('');
  if (q.length < 3) q = ws.map((w) => w.slice(0, 2)).join('');
  return q.length >= 3 ? q.toLowerCase() : undefined;
}

function stemOf(p: string): string {
  const name = p.slice(p.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

export interface Generated {
  queries: RankingQuery[];
  /** Per type: targets left out because another file answers the same query. */
  ambiguous: Record<QueryType, number>;
}

/** Up to `perType` queries of each type on `paths`, from `seed`. */
export function generateQueries(paths: string[], perType: number, seed: number): Generated {
  const random = rng(seed);
  const order = paths.map((p) => parts(p));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const count = <K>(keys: K[]) => {
    const m = new Map<K, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return m;
  };
  const all = paths.map(parts);
  const names = count(all.map((p) => p.name));
  const stems = count(all.map((p) => p.stem));
  const abbrevs = count(paths.map((p) => abbreviation(stemOf(p))).filter((a): a is string => !!a));
  const sortedNames = all.map((p) => p.name).sort();
  const draw = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  /** How many file names start with `prefix` (binary search on the sorted names). */
  const namesStartingWith = (prefix: string) => {
    const lowerBound = (s: string) => {
      let [lo, hi] = [0, sortedNames.length];
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sortedNames[mid] < s) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    return lowerBound(prefix + '\uffff') - lowerBound(prefix);
  };
  const byFolder = new Map<string, Parts[]>();
  for (const p of all) if (p.folder) byFolder.set(p.folder, [...(byFolder.get(p.folder) ?? []), p]);
  const folders = [...byFolder.keys()];

  const ambiguous = Object.fromEntries(QUERY_TYPES.map((t) => [t, 0])) as Record<QueryType, number>;
  const out: RankingQuery[] = [];
  const have = Object.fromEntries(QUERY_TYPES.map((t) => [t, 0])) as Record<QueryType, number>;
  const add = (type: QueryType, query: string | undefined, target: string) => {
    if (!query || !ALLOWED.test(query) || have[type] >= perType) return;
    out.push({ type, query, target });
    have[type]++;
  };
  for (const t of order) {
    if (QUERY_TYPES.every((type) => have[type] >= perType)) break;
    if (t.stem.length < 3 || !ALLOWED.test(t.name)) continue;
    if (names.get(t.name) === 1) add('name', t.name, t.path);
    else if (have.name < perType) ambiguous.name++;
    if (t.stem !== t.name) {
      if (stems.get(t.stem) === 1) add('stem', t.stem, t.path);
      else if (have.stem < perType) ambiguous.stem++;
    }
    if (t.stem.length >= 4) {
      let len = draw(3, t.stem.length - 1);
      while (len < t.stem.length && namesStartingWith(t.stem.slice(0, len)) > 1) len++;
      if (len < t.stem.length) add('prefix', t.stem.slice(0, len), t.path);
      else if (have.prefix < perType) ambiguous.prefix++;
    }
    const ab = abbreviation(stemOf(t.path));
    if (ab) {
      if (abbrevs.get(ab) === 1) add('abbrev', ab, t.path);
      else if (have.abbrev < perType) ambiguous.abbrev++;
    }
    if (t.folder.length >= 2) {
      const f = t.folder.slice(0, Math.min(t.folder.length, draw(3, 5)));
      const siblings = folders.filter((d) => d.startsWith(f)).flatMap((d) => byFolder.get(d)!);
      let len = Math.min(t.stem.length, draw(3, 6));
      const clash = (n: number) => siblings.some((s) => s.path !== t.path && s.name.startsWith(t.stem.slice(0, n)));
      while (len < t.stem.length && clash(len)) len++;
      if (!clash(len)) {
        add('folder/name', `${f}/${t.stem.slice(0, len)}`, t.path);
        add('foldername', `${f}${t.stem.slice(0, len)}`, t.path);
      } else if (have['folder/name'] < perType) {
        ambiguous['folder/name']++;
        ambiguous.foldername++;
      }
    }
  }
  return { queries: out, ambiguous };
}
