/**
 * The ranking benchmark's corpus: the file lists of a fixed set of real repositories, each pinned
 * by commit, so every run and every contributor ranks the same paths. The lists are committed
 * (bench/corpus/ranking/<name>.paths.gz, one path per line, gzipped; repos.json names each one's
 * URL, commit and file count), because CI and many machines are offline. `--refresh` regenerates
 * them from the pinned commits with a blobless, depth-1 `git fetch` (only trees come down); run it
 * after changing a commit in REPOS:
 *
 *   node bench/dist/corpus/ranking.js --refresh [--git-dir <name>=<bare repo>...]
 *
 * (`--git-dir` reads an existing clone that holds the commit instead of fetching). The bench
 * materializes each list as a tree of empty files (hard links to one empty file, ~30 µs each on
 * this VM's disk against ~0.7 ms for a new inode) in the scratch folder, because the sidecar
 * indexes real folders; a stamp file lets later runs reuse the tree.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { benchSrc } from '../lib/proc';

export interface RankingRepo {
  /** Short name used in file names and the table. */
  name: string;
  url: string;
  commit: string;
  /** Why it is in the set: the naming style it brings. */
  style: string;
}

/** Four repositories of different naming styles, each small enough to clone quickly. */
export const REPOS: RankingRepo[] = [
  { name: 'typescript-eslint', url: 'https://github.com/typescript-eslint/typescript-eslint', commit: '56c9ed90d0aee0b5a71cfc39fc76b715b82e3ea8', style: 'TypeScript, kebab-case names, deep fixture folders' },
  { name: 'prettier', url: 'https://github.com/prettier/prettier', commit: '4f84a934201322ca87750e2b9b25baf296da6560', style: 'JavaScript, many same-named test files (format.test.js, jsfmt.spec.js)' },
  { name: 'rust-analyzer', url: 'https://github.com/rust-lang/rust-analyzer', commit: 'd2e55da49132fa70a13dfbdc99122432b02cf464', style: 'Rust, snake_case names, crates/*/src' },
  { name: 'spring-boot', url: 'https://github.com/spring-projects/spring-boot', commit: 'c329ffa25dc160a90ebe5e4b006ad4cdf89d8683', style: 'Java, long PascalCase names in deep package folders' },
];

export const rankingDir = path.join(benchSrc, 'corpus', 'ranking');
const listFile = (name: string) => path.join(rankingDir, `${name}.paths.gz`);

/** The committed path list of `repo`, in git's order. */
export function loadPaths(repo: RankingRepo): string[] {
  return zlib.gunzipSync(fs.readFileSync(listFile(repo.name))).toString('utf8').split('\n').filter(Boolean);
}

/**
 * Materializes `paths` as empty files under `<work>/ranking/<name>-<commit>` and returns the
 * root; reuses the tree when its stamp says it holds exactly this list.
 */
export function materialize(work: string, repo: RankingRepo, paths: string[]): string {
  const base = path.join(work, 'ranking');
  const root = path.join(base, `${repo.name}-${repo.commit.slice(0, 12)}`);
  const stamp = `${root}.stamp`;
  const key = `${repo.commit} ${paths.length}`;
  if (fs.existsSync(root) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) return root;
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  const empty = path.join(base, '.empty');
  if (!fs.existsSync(empty)) fs.writeFileSync(empty, '');
  const made = new Set<string>();
  for (const p of paths) {
    const dir = path.dirname(p);
    if (dir !== '.' && !made.has(dir)) {
      fs.mkdirSync(path.join(root, dir), { recursive: true });
      made.add(dir);
    }
    fs.linkSync(empty, path.join(root, p));
  }
  fs.writeFileSync(stamp, key);
  return root;
}

/** The files (not submodules) of `commit` in the git dir `gitDir`, in git's order. */
function listCommit(gitDir: string, commit: string): string[] {
  const r = spawnSync('git', ['--git-dir', gitDir, 'ls-tree', '-r', '-z', '--full-tree', commit], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ls-tree ${commit} in ${gitDir} failed: ${r.stderr.toString().trim()}`);
  return r.stdout
    .toString('utf8')
    .split('\0')
    .filter(Boolean)
    .map((entry) => {
      const tab = entry.indexOf('\t');
      return { type: entry.slice(0, tab).split(' ')[1], path: entry.slice(tab + 1) };
    })
    .filter((e) => e.type === 'blob' && !e.path.includes('\n'))
    .map((e) => e.path);
}

/** Fetches only `repo.commit`'s trees into a temporary bare repository; returns its git dir. */
function fetchTrees(repo: RankingRepo): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ranking-${repo.name}-`));
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['--git-dir', dir, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed for ${repo.url}`);
  };
  git('init', '--bare', '-q');
  git('fetch', '-q', '--depth', '1', '--filter=blob:none', repo.url, repo.commit);
  return dir;
}

/** Regenerates every committed list (see the header); `gitDirs` maps names to existing clones. */
export function refresh(gitDirs: Record<string, string>): void {
  fs.mkdirSync(rankingDir, { recursive: true });
  const meta: Array<RankingRepo & { files: number }> = [];
  for (const repo of REPOS) {
    const own = gitDirs[repo.name];
    const gitDir = own ?? fetchTrees(repo);
    try {
      const paths = listCommit(gitDir, repo.commit);
      fs.writeFileSync(listFile(repo.name), zlib.gzipSync(paths.join('\n') + '\n', { level: 9 }));
      meta.push({ ...repo, files: paths.length });
      console.log(`ranking corpus: ${repo.name} @ ${repo.commit.slice(0, 12)}: ${paths.length} files`);
    } finally {
      if (!own) fs.rmSync(gitDir, { recursive: true, force: true });
    }
  }
  fs.writeFileSync(path.join(rankingDir, 'repos.json'), JSON.stringify(meta, null, 2) + '\n');
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv[0] !== '--refresh') {
    console.error('usage: node bench/dist/corpus/ranking.js --refresh [--git-dir <name>=<bare repo>...]');
    process.exit(2);
  }
  const dirs: Record<string, string> = {};
  for (let i = 1; i < argv.length; i += 2) {
    const [name, dir] = (argv[i + 1] ?? '').split('=');
    if (argv[i] !== '--git-dir' || !dir) throw new Error(`bad argument ${argv[i]} ${argv[i + 1] ?? ''}`);
    dirs[name] = dir;
  }
  refresh(dirs);
}
