/**
 * The public API is a reviewed list: each entry point's exports (runtime values and types, listed
 * by the TypeScript compiler since types vanish at run time) equal its committed report in
 * api/*.api.txt (written by `npm run api:update`, see api/report.js). The names the compiler calls
 * values are exactly what `require` gives at run time, and a made-up entry with one new value and
 * one new type shows the check names what it did not expect.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const report = require('../api/report.js') as {
  entries(): Array<{ name: string; source: string; report: string; runtime: string }>;
  collect(list?: Array<{ name: string; source: string; report: string }>): Record<string, string[]>;
  compare(entry: { name: string; report: string }, actual: string[]): string[];
};

const REPO = path.resolve(__dirname, '..');
const entries = report.entries();
let actual: Record<string, string[]>;
beforeAll(() => {
  actual = report.collect(entries);
}, 60_000);

test('every entry point in package.json has a report, and root and internal are separate entries', () => {
  expect(entries.map((e) => e.name).sort()).toEqual([
    'skaffa-sidecars',
    'skaffa-sidecars/conformance',
    'skaffa-sidecars/internal',
    'skaffa-sidecars/markdown',
    'skaffa-sidecars/node-protocol',
    'skaffa-sidecars/typescript',
    'skaffa-sidecars/workspace',
  ]);
  for (const e of entries) expect(fs.existsSync(e.report) ? e.report : `missing ${e.report}`).toBe(e.report);
});

test('each entry point exports exactly what its committed API report lists', () => {
  expect(entries.flatMap((e) => report.compare(e, actual[e.name]))).toEqual([]);
});

test('the root exports contracts, not the implementations behind them', () => {
  const root = actual['skaffa-sidecars'].map((l) => l.split(':')[0]);
  const internals = ['Connection', 'Supervisor', 'MessageWriter', 'readMessages', 'CrashWindow', 'backoffDelay', 'classifyIncoming', 'shellQuote', 'parseUname'];
  expect(root.filter((n) => [...internals, 'SidecarRegistry', 'DefaultBinaryResolver', 'AjvSchemaValidator'].includes(n))).toEqual([]);
  expect(actual['skaffa-sidecars/workspace'].map((l) => l.split(':')[0])).not.toContain('SidecarWorkspaceAPI');
  expect(actual['skaffa-sidecars/internal'].map((l) => l.split(':')[0])).toEqual(expect.arrayContaining(internals));
});

test('the names listed as values are exactly the run-time exports of each entry', () => {
  for (const e of entries) {
    const file = e.source.endsWith('.d.ts') ? e.runtime : e.source.replace(/\.ts$/, '');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = Object.keys(require(path.join(REPO, file))).filter((k) => k !== '__esModule');
    const values = actual[e.name].filter((l) => l.includes(': value ')).map((l) => l.split(':')[0]);
    expect({ entry: e.name, names: loaded.sort() }).toEqual({ entry: e.name, names: values.sort() });
  }
});

test('a new export, value or type, fails the comparison naming it (positive control)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-api-'));
  try {
    const source = path.join(dir, 'entry.ts');
    const root = path.join(REPO, 'registry/index').replace(/\\/g, '/');
    fs.writeFileSync(
      source,
      `export * from '${root}';\nexport const brandNew = 1;\nexport interface AlsoNew { x: number }\nexport type { SidecarRegistry as TypeOnly } from '${root}/../internal';\n`,
    );
    const rootEntry = entries.find((e) => e.name === 'skaffa-sidecars')!;
    const grown = report.collect([{ name: 'skaffa-sidecars', source, report: rootEntry.report }])['skaffa-sidecars'];
    expect(grown).toEqual(expect.arrayContaining(['TypeOnly: type class']));
    expect(report.compare(rootEntry, grown)).toEqual([
      expect.stringMatching(/^skaffa-sidecars exports "AlsoNew: type interface", which api\/index\.api\.txt does not list \(.*npm run api:update/),
      expect.stringMatching(/^skaffa-sidecars exports "TypeOnly: type class"/),
      expect.stringMatching(/^skaffa-sidecars exports "brandNew: value const"/),
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
