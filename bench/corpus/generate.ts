/**
 * The generated corpus: a monorepo-shaped tree of any size from a fixed seed, so every run and
 * every machine indexes the same paths. Shape: packages/<scope>/<pkg>/ and apps/<app>/ with deep
 * src/ trees of mixed extensions, tests, docs, and build output (dist/, coverage/, .cache/) that
 * the root .gitignore excludes, about a third of all files, as in a real checkout.
 *
 * Speed: on this kind of VM creating an inode costs ~0.7 ms (ext4 on a virtual disk) while a hard
 * link costs ~30 µs, so files are hard links to one small template per extension and only folders
 * are created for real. A walker cannot tell: every path is a directory entry it must read and
 * stat. A stamp file remembers what was generated, so later runs reuse the tree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nowMs } from '../lib/stats';
import { templates } from './templates';

const VERSION = 2;

/** mulberry32: tiny, fast, and the same sequence everywhere for a seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const words = (
  'core util service auth button modal table grid chart parser lexer token stream buffer cache store ' +
  'query router handler client server socket worker queue event logger config schema model view layout ' +
  'theme icon image upload download search index filter sort page list item form input select editor ' +
  'panel sidebar header footer menu dialog toast user account billing payment invoice order cart product'
).split(' ');
const srcExts: Array<[string, number]> = [
  ['.ts', 30], ['.tsx', 12], ['.js', 10], ['.json', 6], ['.css', 5], ['.scss', 3], ['.md', 3],
  ['.svg', 4], ['.png', 3], ['.rs', 3], ['.go', 3], ['.py', 3], ['.yml', 2], ['.snap', 2], ['.d.ts', 4], ['.test.ts', 7],
];
const distExts: Array<[string, number]> = [['.js', 40], ['.d.ts', 25], ['.js.map', 30], ['.css', 5]];

export interface Generated {
  root: string;
  files: number;
  seconds: number;
  reused: boolean;
}

/** Generates (or reuses) `files` files under `<work>/gen-<files>` from `seed`. */
export function generateCorpus(work: string, files: number, seed = 42): Generated {
  const root = path.join(work, `gen-${files}`);
  const stampFile = path.join(work, `gen-${files}.stamp.json`);
  const want = JSON.stringify({ VERSION, files, seed });
  if (fs.existsSync(stampFile)) {
    const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as { key: string; seconds: number; files: number };
    if (stamp.key === want && fs.existsSync(root)) return { root, files: stamp.files, seconds: stamp.seconds, reused: true };
  }
  fs.rmSync(root, { recursive: true, force: true });
  const t = nowMs();
  const tpl = writeTemplates(path.join(work, 'gen-templates'));
  const rand = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const weighted = (xs: Array<[string, number]>): string => {
    let r = rand() * xs.reduce((s, [, w]) => s + w, 0);
    for (const [x, w] of xs) if ((r -= w) < 0) return x;
    return xs[0][0];
  };
  let made = 0;
  const link = (dir: string, name: string, ext: string) => {
    if (made >= files) return;
    fs.linkSync(tpl(ext), path.join(dir, name + ext));
    made++;
  };
  /** A folder of 4–40 files, with subfolders down to `depth`, holding about `budget` files. */
  const tree = (dir: string, budget: number, depth: number, exts: Array<[string, number]>) => {
    fs.mkdirSync(dir, { recursive: true });
    const here = Math.min(budget, 4 + Math.floor(rand() * 36));
    for (let i = 0; i < here; i++) link(dir, `${pick(words)}-${pick(words)}${i}`, weighted(exts));
    let rest = budget - here;
    const kids = depth > 0 ? 1 + Math.floor(rand() * 4) : 0;
    for (let k = 0; k < kids && rest > 0; k++) {
      const share = k === kids - 1 ? rest : Math.floor(rest * (0.2 + rand() * 0.6));
      tree(path.join(dir, `${pick(words)}${k}`), share, depth - 1, exts);
      rest -= share;
    }
  };

  fs.mkdirSync(root, { recursive: true });
  // Build output, caches and logs are ignored, the way a real monorepo's .gitignore does it.
  fs.writeFileSync(path.join(root, '.gitignore'), 'dist/\ncoverage/\n.cache/\n*.log\n!keep.log\n');
  made++;
  const perPackage = 2500;
  for (let p = 0; made < files; p++) {
    const base = p % 5 === 4 ? path.join(root, 'apps', `app-${pick(words)}${p}`) : path.join(root, 'packages', `@${pick(words)}`, `${pick(words)}-${p}`);
    fs.mkdirSync(base, { recursive: true });
    for (const f of ['package.json', 'README.md', 'tsconfig.json']) link(base, f.replace(/\.[a-z]+$/, ''), path.extname(f));
    tree(path.join(base, 'src'), Math.floor(perPackage * 0.45), 5, srcExts);
    tree(path.join(base, 'test'), Math.floor(perPackage * 0.12), 2, srcExts);
    tree(path.join(base, 'docs'), Math.floor(perPackage * 0.05), 1, [['.md', 8], ['.png', 2], ['.svg', 1]]);
    tree(path.join(base, 'dist'), Math.floor(perPackage * 0.25), 4, distExts);
    tree(path.join(base, 'coverage'), Math.floor(perPackage * 0.06), 2, [['.html', 6], ['.json', 1], ['.css', 1]]);
    tree(path.join(base, '.cache'), Math.floor(perPackage * 0.05), 1, [['.bin', 1], ['.json', 1]]);
    link(base, 'debug', '.log');
  }
  const seconds = (nowMs() - t) / 1000;
  fs.writeFileSync(stampFile, JSON.stringify({ key: want, seconds, files: made }));
  return { root, files: made, seconds, reused: false };
}

/**
 * Template files per extension (same file system as the corpus, for hard links). ext4 allows
 * 65,000 links to one inode, so a fresh copy of a template starts every 60,000 links.
 */
function writeTemplates(dir: string): (ext: string) => string {
  fs.mkdirSync(dir, { recursive: true });
  const made = new Map<string, { file: string; links: number; copies: number }>();
  return (ext: string) => {
    let t = made.get(ext);
    if (!t || t.links >= 60_000) {
      const copies = t ? t.copies + 1 : 0;
      const file = path.join(dir, `template-${copies}${ext}`);
      fs.rmSync(file, { force: true });
      fs.writeFileSync(file, templates(ext));
      t = { file, links: 0, copies };
      made.set(ext, t);
    }
    t.links++;
    return t.file;
  };
}
