/**
 * Every relative link in README.md, bench/README.md and docs/*.md points at a file that exists,
 * and every `#anchor` into a Markdown file names one of its headings, so moving a section (as the
 * README's split into docs/ did) cannot leave a dead link behind. Anchors are GitHub's heading
 * slugs; the slug rule is a few lines here rather than a new dependency. A document with a dead
 * file link and a dead anchor proves the check can fail.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..');

/** Fenced code is not Markdown: its `#` lines are not headings and its brackets are not links. */
const withoutCode = (markdown: string): string => markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');

/** GitHub's slug of a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of withoutCode(markdown).matchAll(/^#{1,6} +(.*?) *#*$/gm)) {
    const base = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The dead links of one document, as `doc: link (why)`. */
function deadLinks(doc: string, markdown: string, read: (file: string) => string | undefined): string[] {
  const dead: string[] = [];
  for (const m of withoutCode(markdown).matchAll(/\]\(([^)\s]+)\)/g)) {
    const link = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto: — not ours to check offline
    const [file, anchor] = link.split('#', 2);
    const target = file ? path.posix.normalize(path.posix.join(path.posix.dirname(doc), file)) : doc;
    const text = read(target);
    if (text === undefined) dead.push(`${doc}: ${link} (no such file)`);
    else if (anchor && target.endsWith('.md') && !anchorsOf(text).has(anchor)) dead.push(`${doc}: ${link} (no such heading)`);
  }
  return dead;
}

const readRepo = (rel: string): string | undefined => {
  const abs = path.join(REPO, rel);
  if (!fs.existsSync(abs)) return undefined;
  return fs.statSync(abs).isFile() ? fs.readFileSync(abs, 'utf8') : '';
};

test('every relative link and anchor in the README, the bench README and docs/ resolves', () => {
  const docs = ['README.md', 'bench/README.md', ...fs.readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const links = docs.flatMap((d) => [...withoutCode(readRepo(d)!).matchAll(/\]\(([^)\s]+)\)/g)]);
  expect(links.length).toBeGreaterThan(50);
  expect(docs.flatMap((d) => deadLinks(d, readRepo(d)!, readRepo))).toEqual([]);
});

test('a dead file link and a dead anchor are reported (the check can fail)', () => {
  const files: Record<string, string> = {
    'docs/a.md': '# A\n## Where the resolver looks\n```sh\n# not a heading\n```\n',
  };
  const doc = [
    '[ok](a.md#where-the-resolver-looks)',
    '[gone](missing.md)',
    '[bad anchor](a.md#not-a-heading)',
    '[web](https://example.com/x#y)',
    '```',
    '[in code](nowhere.md)',
    '```',
  ].join('\n');
  expect(deadLinks('docs/b.md', doc, (f) => files[f])).toEqual(['docs/b.md: missing.md (no such file)', 'docs/b.md: a.md#not-a-heading (no such heading)']);
});
