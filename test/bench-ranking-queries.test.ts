/**
 * The ranking benchmark's query generator (bench/measure/ranking-queries.ts) and its committed
 * corpus: word splitting and abbreviations, the rule that keeps a query only when it names its
 * target alone (duplicated names are left out and counted, prefixes are lengthened until
 * unique), the same queries for the same seed, and path lists that match repos.json.
 */
import { abbreviation, generateQueries, words } from '../bench/measure/ranking-queries';
import { loadPaths, REPOS, rankingDir } from '../bench/corpus/ranking';
import * as fs from 'node:fs';
import * as path from 'node:path';

describe('ranking queries', () => {
  it('splits stems into the words a person reads and abbreviates them', () => {
    expect(words('XMLHttpRequest2')).toEqual(['XML', 'Http', 'Request', '2']);
    expect(words('class-scope_manager.test')).toEqual(['class', 'scope', 'manager', 'test']);
    expect(abbreviation('class-scope-manager')).toBe('csm');
    expect(abbreviation('FuzzyScorer')).toBe('fusc');
    expect(abbreviation('index')).toBeUndefined();
  });

  const paths = [
    'src/a/index.ts',
    'src/b/index.ts',
    'src/base/common/fuzzyScorer.ts',
    'src/base/common/fuzzySearch.ts',
    'lib/class.js',
    'lib/class.ts',
    'lib/class-scope.ts',
    'docs/readme-first.md',
  ];

  it('keeps a query only when its rule names its target alone', () => {
    const { queries, ambiguous } = generateQueries(paths, 100, 1);
    const of = (type: string) => queries.filter((q) => q.type === type);
    // index.ts is in two folders: no name query for it, and it is counted.
    expect(of('name').map((q) => q.query)).not.toContain('index.ts');
    expect(ambiguous.name).toBe(2);
    // class.js and class.ts share the stem `class`.
    expect(of('stem').map((q) => q.query)).not.toContain('class');
    expect(of('stem').map((q) => q.query)).toContain('class-scope');
    // Every prefix is shared by no other file name, and shorter than its stem.
    for (const q of of('prefix')) {
      expect(paths.filter((p) => path.basename(p).toLowerCase().startsWith(q.query))).toEqual([q.target]);
      expect(q.query.length).toBeLessThan(path.basename(q.target).split('.')[0].length);
    }
    // `fuzzys` names neither file alone: the two fuzzy* prefixes go at least to `fuzzysc`/`fuzzyse`.
    for (const q of of('prefix').filter((x) => x.target.includes('fuzzy'))) expect(q.query.length).toBeGreaterThanOrEqual(7);
    for (const q of of('foldername')) expect(q.query).not.toContain('/');
    for (const q of queries) expect(q.query).toMatch(/^[a-z0-9._/-]+$/);
  });

  it('makes the same queries for the same seed and others for another', () => {
    const list = loadPaths(REPOS[2]);
    const a = generateQueries(list, 20, 7).queries;
    expect(generateQueries(list, 20, 7).queries).toEqual(a);
    expect(generateQueries(list, 20, 8).queries).not.toEqual(a);
    expect(a.length).toBe(6 * 20);
  });

  it('has committed path lists that match repos.json', () => {
    const meta = JSON.parse(fs.readFileSync(path.join(rankingDir, 'repos.json'), 'utf8')) as Array<{ name: string; commit: string; files: number }>;
    expect(meta.map((m) => m.name)).toEqual(REPOS.map((r) => r.name));
    for (const repo of REPOS) {
      const m = meta.find((x) => x.name === repo.name)!;
      expect(m.commit).toBe(repo.commit);
      expect(loadPaths(repo).length).toBe(m.files);
    }
  });
});
