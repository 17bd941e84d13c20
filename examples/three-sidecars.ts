/**
 * Three sidecars side by side, registered only through their manifests: the Rust workspace
 * sidecar, the small Rust Markdown sidecar, and the diff sidecar written in Node. The example
 * starts all of them, calls each once, and shuts them down; `runThreeSidecars` is what the test
 * runs, and `node dist/examples/three-sidecars.js [folder]` prints the same as a person would see.
 */
import 'reflect-metadata';
import * as path from 'node:path';
import { container } from 'tsyringe';
import { createSidecarRegistry, registerSidecar, registerSidecarDefaults } from '../registry';
import { diffManifest } from '../sidecars/diff/manifest';
import { markdownManifest } from '../sidecars/markdown/manifest';
import { registerWorkspaceSidecar, WorkspaceAPIToken } from '../sidecars/workspace';

/** What the example observed, for printing or asserting. */
export interface ThreeSidecarsReport {
  started: Array<{ name: string; state: string; pid?: number; binary?: string }>;
  readme: { path: string; size: number };
  outline: string[];
  diff: { added: number; removed: number };
  stopped: Array<{ name: string; state: string }>;
}

/** Starts the three sidecars on `root`, uses each, and disposes them. */
export async function runThreeSidecars(root: string): Promise<ThreeSidecarsReport> {
  const c = container.createChildContainer();
  registerSidecarDefaults(c, { launch: { workspaceRoot: root } });
  registerWorkspaceSidecar(c);
  registerSidecar(c, markdownManifest);
  registerSidecar(c, diffManifest);
  const registry = createSidecarRegistry(c);
  try {
    await registry.start();
    const started = registry.list().map((s) => ({ name: s.name, state: s.state, pid: s.pid, binary: s.binary.path }));

    const workspace = c.resolve(WorkspaceAPIToken);
    const [first] = (await workspace.glob(['README.md', '**/*.md'], { limit: 1 })).paths;
    const file = await workspace.readFile(first);
    const { headings } = await registry.client(markdownManifest).call('markdown/outline', { text: file.content });
    const edited = file.content.replace(/^# .*$/m, '# A new title');
    const diff = await registry.client(diffManifest).call('diff/lines', { a: file.content, b: edited });

    return {
      started,
      readme: { path: file.path, size: file.size },
      outline: headings.map((h) => `${'  '.repeat(h.level - 1)}${h.text} (line ${h.line})`),
      diff: { added: diff.added, removed: diff.removed },
      stopped: [],
    };
  } finally {
    await registry.dispose();
  }
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? process.cwd());
  runThreeSidecars(root).then(
    (r) => {
      for (const s of r.started) console.log(`started ${s.name.padEnd(10)} pid ${s.pid}  ${s.binary}`);
      console.log(`\nworkspace: read ${r.readme.path} (${r.readme.size} bytes)`);
      console.log(`markdown:  outline\n    ${r.outline.slice(0, 12).join('\n    ')}`);
      console.log(`diff:      retitling it changes +${r.diff.added} -${r.diff.removed} lines`);
      console.log('\nall sidecars shut down');
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
