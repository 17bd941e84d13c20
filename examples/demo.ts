/**
 * The demo behind the README's first command: it registers the workspace sidecar through the
 * public API, indexes a real folder (the repository itself by default) with a progress line, then
 * runs a fuzzy find, a content search, a glob and a read, and shuts everything down. Usage:
 * `npm run demo -- [folder] [fuzzy query] [search pattern]`.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { container } from 'tsyringe';
import { createSidecarRegistry, registerSidecarDefaults, SidecarError } from '../registry';
import { registerWorkspaceSidecar, WorkspaceAPIToken, WorkspaceEvents, workspaceManifest, type FuzzyMatch } from '../sidecars/workspace';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
/** Rewrites the progress line in a terminal (erasing what a longer text left); elsewhere a new line. */
const rewrite = (s: string) => process.stdout.write(process.stdout.isTTY ? `\r\x1b[2K${s}` : `${s}\n`);
/** Clears the progress line in a terminal before the next output. */
const clearLine = () => process.stdout.isTTY && process.stdout.write('\r\x1b[2K');

/** Renders a fuzzy match with its matched characters in bold (positions are UTF-16 indices). */
function highlight(m: FuzzyMatch): string {
  const marks = new Set(m.positions);
  return [...m.path].map((ch, i) => (marks.has(i) ? bold(ch) : ch)).join('');
}

function rssOf(pid: number | undefined): string {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? `${(Number(kb) / 1024).toFixed(1)} MB` : 'n/a';
  } catch {
    return 'n/a';
  }
}

async function main(): Promise<number> {
  const [folderArg, query = 'supervisor', pattern = 'SidecarError'] = process.argv.slice(2);
  const root = path.resolve(folderArg ?? process.cwd());
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    console.error(`error: ${root} is not a folder`);
    return 2;
  }

  const c = container.createChildContainer();
  registerSidecarDefaults(c, { launch: { workspaceRoot: root } });
  registerWorkspaceSidecar(c);
  const registry = createSidecarRegistry(c);
  const workspace = c.resolve(WorkspaceAPIToken);
  try {
    console.log(`${bold('Skaffa demo')} — workspace ${root}`);
    const started = performance.now();
    const progress = registry.client(workspaceManifest).onEvent(WorkspaceEvents.indexProgress, (d) => {
      rewrite(`  indexing… ${d.files} files`);
    });
    await registry.start(['workspace']);
    // With waitForIndex, findFiles waits for the first index, so its completion marks "index ready"
    // (without it, a call made during the scan answers at once from the files found so far).
    const first = await workspace.findFiles(query, { limit: 10, waitForIndex: true });
    progress.dispose();
    const status = await workspace.status();
    const ms = performance.now() - started;
    clearLine();
    console.log(`  indexed ${bold(String(status.files))} files in ${ms.toFixed(0)} ms; sidecar RSS ${rssOf(registry.supervisor('workspace').pid)}; watching: ${status.watching}`);

    console.log(`\n${bold(`findFiles "${query}"`)}`);
    for (const m of first.matches) console.log(`  ${highlight(m)} ${dim(`(${m.score})`)}`);

    const t0 = performance.now();
    const found = await workspace.search(pattern, { maxResults: 10 });
    console.log(`\n${bold(`search "${pattern}"`)} ${dim(`${found.filesSearched} files in ${(performance.now() - t0).toFixed(0)} ms${found.truncated ? ', first 10 shown' : ''}`)}`);
    for (const l of found.lines) console.log(`  ${l.path}:${l.line}:${l.ranges[0]![0] + 1}  ${l.text.trim().slice(0, 100)}`);

    const md = await workspace.glob('**/*.md', { limit: 10 });
    console.log(`\n${bold('glob "**/*.md"')}\n  ${md.paths.join('\n  ') || dim('(none)')}`);

    if (first.matches[0]) {
      const file = await workspace.readFile(first.matches[0].path, { maxBytes: 1 << 20 }).catch((e: SidecarError) => e);
      if (file instanceof SidecarError) {
        console.log(`\n${bold(`read ${first.matches[0].path}`)}: ${file.code} ${file.message}`);
      } else {
        console.log(`\n${bold(`read ${file.path}`)} ${dim(`${file.size} bytes, hash ${file.hash}`)}`);
        for (const line of file.content.split('\n').slice(0, 8)) console.log(`  ${line}`);
      }
    }
    return 0;
  } catch (e) {
    if (SidecarError.is(e)) {
      console.error(`\nerror ${e.code}: ${e.message}`);
      return e.code === 'BINARY_NOT_FOUND' ? 3 : 1;
    }
    throw e;
  } finally {
    await registry.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
