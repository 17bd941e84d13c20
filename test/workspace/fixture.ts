/**
 * Generated workspace trees for the end-to-end tests, plus a fingerprint of a tree (path, size,
 * mtime, content) used to prove that a test run left the workspace untouched. Also wires a
 * WorkspaceAPI to the real `skaffa-workspace` binary through the public registration helpers, or,
 * with `SKAFFA_TEST_WINE=1`, to the Windows build under wine (see test/windows/wine.ts).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkspaceAPIToken, registerWorkspaceSidecar, type WorkspaceAPI } from '../../sidecars/workspace';
import { createSidecarRegistry, type ISidecarRegistry } from '../../registry';
import { ProcessSpawnerToken } from '../../core/process/contract';
import { testContainer } from '../helpers';
import { underWine, windowsExe, WineSpawner } from '../windows/wine';

/** Files of the standard fixture; ignored and .git content is written separately. */
export const VISIBLE_FILES: Record<string, string | Buffer> = {
  'README.md': '# Fixture\nA needle in a haystack.\n',
  '.env.example': 'TOKEN=needle\n',
  'src/main.rs': 'fn main() {\n    println!("needle");\n}\n',
  'src/lib/mod.rs': 'pub mod needle_finder;\n',
  'src/lib/needle_finder.rs': '// Needle finder\npub fn find() -> usize { 42 }\n',
  'src/ui/App.tsx': 'export const App = () => "😀 needle";\n',
  'docs/guide.md': 'Use the NEEDLE wisely.\nneedles are sharp\n',
  'assets/logo.bin': Buffer.from([0, 1, 2, 3, 0, 255, 254, 0, 110, 101, 101, 100, 108, 101]),
  'data/latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
  'ünïcode/naïve.txt': 'naïve needle\n',
};

export const IGNORED_FILES: Record<string, string> = {
  '.gitignore': 'ignored/\n*.log\n',
  'ignored/secret.txt': 'needle in an ignored folder\n',
  'debug.log': 'needle in an ignored log\n',
  'src/trace.log': 'needle\n',
  '.git/config': '[core]\nneedle = true\n',
  '.git/HEAD': 'ref: refs/heads/main\n',
};

/** Creates a temp workspace with the standard fixture; returns its canonical path. */
export function makeWorkspace(extra: Record<string, string | Buffer> = {}): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-ws-')));
  for (const [rel, content] of Object.entries({ ...VISIBLE_FILES, ...IGNORED_FILES, ...extra })) {
    writeFile(root, rel, content);
  }
  return root;
}

export function writeFile(root: string, rel: string, content: string | Buffer): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
}

/** Every file under `root` (following nothing) with size, mtime and a content hash. */
export function fingerprint(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      const st = fs.lstatSync(p);
      const rel = path.relative(root, p);
      if (entry.isDirectory()) {
        out[`${rel}/`] = `${st.mtimeMs}`;
        walk(p);
      } else if (entry.isSymbolicLink()) {
        out[rel] = `-> ${fs.readlinkSync(p)} ${st.mtimeMs}`;
      } else {
        const hash = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
        out[rel] = `${st.size} ${st.mtimeMs} ${st.mode} ${hash}`;
      }
    }
  };
  walk(root);
  return out;
}

/** A registry + WorkspaceAPI on the real binary (disposed by the helpers after each test). */
export function openWorkspace(root: string, extra: Record<string, unknown> = {}): { api: WorkspaceAPI; registry: ISidecarRegistry } {
  const windows = underWine
    ? { resolve: { env: { ...process.env, SKAFFA_SIDECAR_WORKSPACE_PATH: windowsExe('skaffa-workspace') } } }
    : {};
  // Under wine main is a Linux process, which a Windows reaper cannot watch (wine's pids are its
  // own): the .exe starts directly there, and the reaper's job object is tested by its crate.
  const c = testContainer({ launch: { workspaceRoot: root, ...(underWine ? { contain: false } : {}), ...extra }, ...windows }, (c) => {
    if (underWine) c.register(ProcessSpawnerToken, { useValue: new WineSpawner() });
  });
  registerWorkspaceSidecar(c);
  const registry = createSidecarRegistry(c);
  trackForDisposal(registry);
  return { api: c.resolve(WorkspaceAPIToken), registry };
}

const open: ISidecarRegistry[] = [];
function trackForDisposal(r: ISidecarRegistry): void {
  open.push(r);
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.dispose()));
});
