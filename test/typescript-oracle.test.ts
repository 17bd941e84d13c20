/**
 * The oracle test of issue 17 (items 4–5): over each fixture tree, what the typescript sidecar
 * answers for `typescript/imports`, `typescript/exports` and the top level of `typescript/outline`
 * must equal, file by file, what TypeScript's own compiler API finds (test/typescript-oracle/oracle.ts),
 * apart from the differences listed in KNOWN. The sidecar is the real
 * `skaffa-typescript --root <tree>` binary, started and called through the registry like any
 * sidecar; its manifest here declares only the methods this test calls, with the crate's schemas,
 * so every answer is also validated against them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineSidecar, method, type ISidecarRegistry, type LaunchOptions } from '../registry';
import exportsParams from '../sidecars/typescript/schema/exports.params.json';
import exportsResult from '../sidecars/typescript/schema/exports.result.json';
import importsParams from '../sidecars/typescript/schema/imports.params.json';
import importsResult from '../sidecars/typescript/schema/imports.result.json';
import outlineParams from '../sidecars/typescript/schema/outline.params.json';
import outlineResult from '../sidecars/typescript/schema/outline.result.json';
import type * as T from '../sidecars/typescript/types.generated';
import { makeRegistry } from './helpers';
import { oracle, type TreeOracle } from './typescript-oracle/oracle';

const FIXTURES = path.join(__dirname, '..', 'sidecars', 'typescript', 'tests', 'fixtures');

/** The trees compared: the crate's own fixtures and `oracle/`, written for this test (see its README row). */
const TREES = ['syntax', 'resolution', 'pnpm', 'jsconfig', 'components', 'oracle'];

const manifest = defineSidecar({
  name: 'typescript',
  binary: { name: 'skaffa-typescript' },
  launch: (o: LaunchOptions) => ({ args: ['--root', o.workspaceRoot!] }),
  methods: {
    'typescript/imports': method<T.ImportsParams, T.ImportsResult>({ params: importsParams, result: importsResult, timeoutMs: 60_000 }),
    'typescript/exports': method<T.ExportsParams, T.ExportsResult>({ params: exportsParams, result: exportsResult, timeoutMs: 60_000 }),
    'typescript/outline': method<T.OutlineParams, T.OutlineResult>({ params: outlineParams, result: outlineResult, timeoutMs: 60_000 }),
  },
});

/** A copy of fixture `name` in a fresh temporary folder (as the crate's tests run them), canonical. */
function copyTree(name: string): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `skaffa-ts-oracle-${name}-`)));
  fs.cpSync(path.join(FIXTURES, name), root, { recursive: true });
  return root;
}

/**
 * `import x = require()` binds the whole module; the sidecar reports the local name there, which
 * the schema's "imported (not local) name" does not describe, so names are compared only where the
 * schema defines them (import, import-type, export-from).
 */
function comparable(item: T.ImportItem): T.ImportItem {
  if (item.kind !== 'import-equals' || !item.names) return item;
  const { names: _names, ...rest } = item;
  return rest;
}

/** The export items without their ranges: the sidecar's cover the statement, TypeScript's declaration nodes vary. */
function withoutRanges(result: T.ExportsResult): T.ExportsResult {
  return { ...result, exports: result.exports.map(({ range: _range, ...e }) => e) };
}

/** One file's answers as compared. */
interface Answer {
  imports: T.ImportItem[];
  exports: T.ExportsResult;
  /** The outline's top-level names. */
  outline: string[];
}

/**
 * Where the sidecar's answer is not TypeScript's: either a defect reported with issue 17, or a
 * rule of the issue that TypeScript does not follow. Each entry turns TypeScript's answer into the
 * sidecar's exact one, so everything else is still compared, and a change of the sidecar there fails
 * this test until the entry is updated.
 */
interface Known {
  tree: string;
  file: string;
  defect: boolean;
  why: string;
  patch: (expected: Answer) => void;
}

/** The sidecar resolves `specifier` (requested as one of `kinds`) to `resolved`, where TypeScript does not. */
const resolvesTo = (specifier: string, kinds: T.ImportKind[], resolved: string | null) => (a: Answer) => {
  for (const i of a.imports) if (i.specifier === specifier && kinds.includes(i.kind)) i.resolved = resolved;
};

const KNOWN: Known[] = [
  {
    tree: 'oracle',
    file: 'src/main.ts',
    defect: false,
    why:
      'a folder whose package.json has "module" and "main": bundlers (item 5: "as TypeScript and bundlers do it") take ' +
      '"module", TypeScript reads only types/typings/main; the sidecar follows the bundlers',
    patch: resolvesTo('./folder', ['import'], 'src/folder/esm.js'),
  },
];

describe.each(TREES)('fixture tree %s', (tree) => {
  let root: string;
  let ts: TreeOracle;
  let registry: ISidecarRegistry;

  beforeAll(() => {
    root = copyTree(tree);
    ts = oracle(root);
  });
  beforeEach(() => {
    registry = makeRegistry([manifest], { launch: { workspaceRoot: root } });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('imports, exports and top-level outline names of every file are what TypeScript finds', async () => {
    expect(ts.files.length).toBeGreaterThan(0);
    // Whole trees are compared at once, so a failure shows every file that differs.
    const got: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const file of ts.files) {
      const imports = (await registry.call('typescript', 'typescript/imports', { path: file })) as T.ImportsResult;
      const exports = (await registry.call('typescript', 'typescript/exports', { path: file })) as T.ExportsResult;
      const outline = (await registry.call('typescript', 'typescript/outline', { path: file })) as T.OutlineResult;
      const names = outline.symbols.map((symbol) => symbol.name);
      got[file] = { imports: imports.imports.map(comparable), exports: withoutRanges(exports), outline: names };
      const answer: Answer = {
        imports: ts.imports(file).map(comparable),
        exports: withoutRanges(ts.exports(file)),
        outline: ts.outline(file),
      };
      for (const k of KNOWN.filter((k) => k.tree === tree && k.file === file)) {
        const before = JSON.stringify(answer);
        k.patch(answer);
        // An entry that no longer changes TypeScript's answer is stale (the fixture moved on).
        expect({ file, stale: JSON.stringify(answer) === before }).toEqual({ file, stale: false });
      }
      expected[file] = answer;
    }
    const missing = KNOWN.filter((k) => k.tree === tree && !ts.files.includes(k.file)).map((k) => k.file);
    expect(missing).toEqual([]);
    expect(got).toEqual(expected);
  });
});

/** Every ImportKind and ExportKind of the schemas, so a fixture edit cannot drop one unnoticed. */
const IMPORT_KINDS: T.ImportKind[] = ['import', 'import-type', 'export-from', 'import-equals', 'dynamic', 'require'];
const EXPORT_KINDS: T.ExportKind[] = ['local', 'reexport', 'namespace', 'default', 'assignment'];

test('the trees hold every construct of items 4 and 5, as TypeScript reads them', () => {
  const imports = new Set<string>();
  const exports = new Set<string>();
  const outcomes = new Set<string>();
  const outline = new Set<string>();
  let stars = 0;
  for (const tree of TREES) {
    const ts = oracle(path.join(FIXTURES, tree));
    for (const file of ts.files) {
      for (const i of ts.imports(file)) {
        imports.add(i.kind);
        outcomes.add(i.resolved ? 'resolved' : i.external ? 'external' : 'unresolvable');
      }
      const e = ts.exports(file);
      for (const x of e.exports) exports.add(x.typeOnly ? `${x.kind} (type)` : x.kind);
      stars += e.stars.length;
      for (const name of ts.outline(file)) outline.add(name);
    }
  }
  expect([...imports].sort()).toEqual([...IMPORT_KINDS].sort());
  expect(EXPORT_KINDS.every((k) => exports.has(k))).toBe(true);
  expect(exports.has('local (type)') && exports.has('reexport (type)')).toBe(true);
  expect(stars).toBeGreaterThan(1);
  expect([...outcomes].sort()).toEqual(['external', 'resolved', 'unresolvable']);
  // Outline names include an anonymous default, a quoted ambient module and destructured bindings.
  expect(['default', '"virtual-mod"', 'renamedD2', 'e3'].filter((n) => !outline.has(n))).toEqual([]);
});
