/**
 * Every TypeScript block in README.md and docs/*.md type-checks as written, the way an app that
 * installed the package compiles it (`skaffa-sidecars` resolved through its exports, CommonJS,
 * `node16` resolution, strict). A block that is only a fragment starts with a `// fragment`
 * line; it is wrapped in an async function after a fixed preamble of imports (below), so its
 * free names must be among those. Blocks with `file=` are files of the add-a-sidecar guide's
 * app, which test/add-a-sidecar.test.ts compiles and runs. examples/packaging/main.ts is checked
 * the same way. Electron is modelled by test/fixtures/electron.d.ts. A deliberately wrong block proves the check can fail.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..');

/** What a fragment may use without importing it. */
const PREAMBLE = `import 'reflect-metadata';
import * as path from 'node:path';
import { app, BrowserWindow } from 'electron';
import { container, type DependencyContainer } from 'tsyringe';
import { createSidecarRegistry, registerSidecar, registerSidecarDefaults, SidecarError, sidecarBinaryPath, type ISidecarRegistry } from 'skaffa-sidecars';
import { installQuitHook, registerWorkspaceSidecar, WorkspaceAPIToken, WorkspaceHost, type WorkspaceAPI } from 'skaffa-sidecars/workspace';
declare const workspaceRoot: string;
declare const registry: ISidecarRegistry;
declare const host: WorkspaceHost;
`;

interface Block {
  doc: string;
  line: number;
  body: string;
}

function blocksOf(doc: string, markdown: string): Block[] {
  const out: Block[] = [];
  for (const m of markdown.matchAll(/^```ts([^\n]*)\n([\s\S]*?)^```$/gm)) {
    if (/\bfile=/.test(m[1])) continue;
    out.push({ doc, line: markdown.slice(0, m.index).split('\n').length, body: m[2] });
  }
  return out;
}

/** Type-checks the blocks in one tsc run; returns the errors, each prefixed with `doc:line`. */
function typeCheck(blocks: Block[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-docs-'));
  try {
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'junction');
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "docs-app", "private": true, "type": "commonjs" }');
    const names = blocks.map((b, i) => {
      const name = `block${i}.ts`;
      const fragment = /^\s*\/\/ fragment\b/.test(b.body);
      const body = fragment ? `${PREAMBLE}export async function fragment(): Promise<void> {\n${b.body}}\n` : b.body;
      fs.writeFileSync(path.join(dir, name), body);
      return name;
    });
    fs.copyFileSync(path.join(REPO, 'test/fixtures/electron.d.ts'), path.join(dir, 'electron.d.ts'));
    const tsconfig = {
      compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, noEmit: true, types: ['node'], skipLibCheck: true },
      files: [...names, 'electron.d.ts'],
    };
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', dir, '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`
      .split('\n')
      .filter((l) => /error TS/.test(l))
      .map((l) => {
        const m = /^block(\d+)\.ts\((\d+),\d+\): (.*)$/.exec(l);
        if (!m) return l;
        const b = blocks[Number(m[1])];
        const offset = /^\s*\/\/ fragment\b/.test(b.body) ? PREAMBLE.split('\n').length : 0;
        return `${b.doc}:${b.line + Number(m[2]) - offset}: ${m[3]}`;
      });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('every TypeScript block of the README and the guides type-checks as written', () => {
  const docs = ['README.md', ...fs.readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const blocks = docs.flatMap((d) => blocksOf(d, fs.readFileSync(path.join(REPO, d), 'utf8')));
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  expect(blocks.some((b) => b.doc === 'README.md')).toBe(true);
  // The Electron main-process example the packaging guide links to is held to the same standard.
  const example = 'examples/packaging/main.ts';
  blocks.push({ doc: example, line: 0, body: fs.readFileSync(path.join(REPO, example), 'utf8') });
  expect(typeCheck(blocks)).toEqual([]);
}, 120_000);

test('a wrong block is reported with its document and line (the check can fail)', () => {
  const md = [
    '# Doc',
    '```ts',
    "import { createSidecarRegistry } from 'skaffa-sidecars';",
    'createSidecarRegistry();',
    '```',
    '```ts',
    '// fragment',
    'const api: WorkspaceAPI = host.open(workspaceRoot);',
    'await api.findFiles(42);',
    '```',
    '```ts',
    'const top = await Promise.resolve(1); // top-level await is not allowed in CommonJS',
    'export { top };',
    '```',
  ].join('\n');
  const errors = typeCheck(blocksOf('wrong.md', md));
  expect(errors).toEqual([
    expect.stringMatching(/^wrong\.md:4: error TS2554/),
    expect.stringMatching(/^wrong\.md:9: error TS2345/),
    expect.stringMatching(/^wrong\.md:12: error TS1309|^wrong\.md:12: error TS1378/),
  ]);
}, 120_000);
