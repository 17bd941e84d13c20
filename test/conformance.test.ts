/**
 * The conformance checker (`skaffa-sidecars/conformance`) against real sidecars and purpose-built
 * bad ones. The shipped sidecars (workspace, markdown, and diff on the Node kit) must pass every
 * MUST with their examples exercised; each bad fixture under test/fixtures/conformance/ must fail
 * exactly the rule it breaks and no other, which is also the positive control that every one of
 * those rules can fail. Schemas the answers cannot meet show that results and chunks are
 * really validated, and every cited section must be a heading of docs/protocol.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkConformance, expectConformant, type ConformanceReport, type RuleResult } from '../registry/conformance';
import type { MethodSpec, SidecarManifest } from '../registry';
import { typescriptManifest } from '../sidecars/typescript/manifest';
import { diffWithExamples, doubleAnswerManifest, fixtureCommand, markdownWithExamples, workspaceWithExamples } from './fixtures/conformance/manifests';

jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, '..');
const WORKSPACE = path.join(REPO, 'target/release/skaffa-workspace');
const MARKDOWN = path.join(REPO, 'target/release/skaffa-markdown');
const TYPESCRIPT = path.join(REPO, 'target/release/skaffa-typescript');
const DIFF = [process.execPath, path.join(REPO, 'sidecars/diff/sidecar.js')];

const reports: ConformanceReport[] = [];
async function check(...args: Parameters<typeof checkConformance>): Promise<ConformanceReport> {
  const report = await checkConformance(...args);
  reports.push(report);
  return report;
}
const failing = (r: ConformanceReport) => r.rules.filter((x) => x.status === 'fail').map((x) => x.id);
const rule = (r: ConformanceReport, id: string): RuleResult => r.rules.find((x) => x.id === id)!;

/** The files the typescript schemas' params examples name (`src/old.ts` is the example's deleted file). */
const TS_FILES: Record<string, string> = {
  'tsconfig.json': '{ "compilerOptions": { "jsx": "react-jsx" } }\n',
  'src/components/Button.tsx': 'export function Button(props: { label: string }) {\n  return <button>{props.label}</button>;\n}\n',
  'src/util.ts': 'export function useAuth(): boolean {\n  return true;\n}\n',
  'src/app.ts': "import { Button } from './components/Button';\nimport { useAuth } from './util';\nexport const app = [Button, useAuth];\n",
  'src/index.ts': "export * from './util';\nexport { Button } from './components/Button';\n",
  'src/a.ts': "import './util';\n",
  'src/new.ts': 'export const fresh = 1;\n',
};

let root: string;
let tsRoot: string;
beforeAll(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-conformance-')));
  fs.mkdirSync(path.join(root, 'docs'));
  fs.writeFileSync(path.join(root, 'README.md'), '# Test\nThe needle is here.\n');
  fs.writeFileSync(path.join(root, 'docs/guide.md'), 'Read this first.\n');
  tsRoot = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-conformance-ts-')));
  for (const [rel, text] of Object.entries(TS_FILES)) {
    fs.mkdirSync(path.dirname(path.join(tsRoot, rel)), { recursive: true });
    fs.writeFileSync(path.join(tsRoot, rel), text);
  }
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(tsRoot, { recursive: true, force: true });
});

describe('the shipped sidecars conform', () => {
  test('workspace (release binary): every MUST holds, every example and streamed search exercised', async () => {
    const report = await check([WORKSPACE, '--root', root], { manifest: workspaceWithExamples });
    expect(failing(report)).toEqual([]);
    expect(report.ok).toBe(true);
    for (const m of Object.keys(workspaceWithExamples.methods)) expect(rule(report, `methods/${m}`).status).toBe('pass');
    expect(rule(report, 'streams/workspace/search')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^2 streamed requests/) });
    // The missing file's NOT_FOUND is a valid answer, and the report says it was seen.
    expect(rule(report, 'methods/workspace/readFile').detail).toContain('NOT_FOUND');
    expect(rule(report, 'cancel.once').detail).toMatch(/^workspace\/search \(streamed\): answered once/);
    for (const id of ['transport.orphan', 'transport.children', 'builtin.shutdown', 'transport.long-line', 'builtin.describe']) expect(rule(report, id).status).toBe('pass');
  });

  test('typescript (release binary): every MUST holds, every method exercised with its schemas\' examples', async () => {
    const report = await check([TYPESCRIPT, '--root', tsRoot], { manifest: typescriptManifest });
    expect(failing(report)).toEqual([]);
    expect(report.ok).toBe(true);
    const methods = Object.keys(typescriptManifest.methods);
    expect(methods).toEqual(expect.arrayContaining(['typescript/didChange', 'typescript/resync']));
    for (const m of methods) expect({ m, ...rule(report, `methods/${m}`) }).toMatchObject({ m, status: 'pass' });
    for (const id of ['transport.orphan', 'transport.children', 'builtin.shutdown', 'transport.long-line', 'builtin.describe']) expect(rule(report, id).status).toBe('pass');
  });

  test('markdown: every MUST holds, with its streamed outline', async () => {
    const report = await check([MARKDOWN], { manifest: markdownWithExamples });
    expect(failing(report)).toEqual([]);
    expect(report.rules.filter((r) => r.status !== 'pass')).toEqual([]);
  });

  test('diff on the Node kit: every MUST holds (the manifest loaded from <module>#<export>)', async () => {
    const report = await check(DIFF, { manifest: 'sidecars/diff/manifest.ts#diffManifest', cwd: REPO });
    expect(failing(report)).toEqual([]);
    // The shipped params schemas carry examples, so every method is exercised and passes.
    expect(rule(report, 'methods/diff/lines')).toMatchObject({ status: 'pass' });
    expect(report.rules.filter((r) => r.status !== 'pass')).toEqual([]);
    // A method without examples is a warning, neither a pass nor a failure.
    const bare = { ...diffWithExamples, methods: Object.fromEntries(Object.entries(diffWithExamples.methods).map(([name, spec]) => {
      const { examples: _examples, ...params } = spec.params as Record<string, unknown>;
      return [name, { ...spec, params }];
    })) };
    const withoutExamples = await check(DIFF, { manifest: bare });
    expect(failing(withoutExamples)).toEqual([]);
    expect(rule(withoutExamples, 'methods/diff/lines')).toMatchObject({ status: 'warn', detail: 'no examples: not exercised' });
  });

  test('expectConformant resolves with the report for a conformant sidecar', async () => {
    const report = await expectConformant([MARKDOWN], { manifest: markdownWithExamples });
    expect(report.ok).toBe(true);
  });
});

describe('each bad sidecar fails exactly the rule it breaks', () => {
  test('a non-protocol line on stdout', async () => {
    const report = await check(fixtureCommand('noisy.js'));
    expect(failing(report)).toEqual(['transport.stdout']);
    expect(rule(report, 'transport.stdout').detail).toContain('noisy sidecar starting');
  });

  test('ignoring stdin EOF', async () => {
    const report = await check(fixtureCommand('deaf.js'));
    expect(failing(report)).toEqual(['transport.orphan']);
    expect(rule(report, 'transport.orphan').detail).toMatch(/still running .* after stdin EOF/);
  });

  test('leaving a plain child and a setsid() child behind', async () => {
    const stderr: string[] = [];
    const report = await check(fixtureCommand('leaky.js'), { onStderr: (l) => stderr.push(l) });
    expect(failing(report)).toEqual(['transport.children']);
    // Both runs (stdin EOF and $/shutdown) started both children; all four are named.
    const pids = stderr.flatMap((l) => [...l.matchAll(/child (\d+)/g)].map((m) => m[1]));
    expect(pids).toHaveLength(4);
    const detail = rule(report, 'transport.children').detail;
    for (const pid of pids) expect(detail).toContain(pid);
    if (process.platform === 'linux') for (const pid of pids) expect(fs.existsSync(`/proc/${pid}`) && !/State:\s+Z/.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))).toBe(false);
  });

  test('answering a cancelled request with both CANCELLED and its result', async () => {
    const report = await check(fixtureCommand('double-answer.js'), { manifest: doubleAnswerManifest });
    expect(failing(report)).toEqual(['cancel.once']);
    expect(rule(report, 'cancel.once').detail).toMatch(/answered 2 times: CANCELLED and a result/);
    expect(rule(report, 'methods/fixture/wait').status).toBe('pass');
  });

  test('never answering unknown methods', async () => {
    const report = await check(fixtureCommand('mute.js'), { timeoutMs: 3_000 });
    expect(failing(report)).toEqual(['malformed.unknown-method']);
    expect(rule(report, 'malformed.unknown-method').detail).toContain('conformance/noSuchMethod: no answer');
  });

  test('expectConformant rejects with the failing rule and its section', async () => {
    await expect(expectConformant(fixtureCommand('noisy.js'))).rejects.toThrow(/breaks 1 protocol rule\(s\):\n.*FAIL {2}MUST {4}transport\.stdout .*§ Transport\]/);
  });
});

describe('answers are validated against the manifest', () => {
  /** `manifest` with `change` applied to the schemas of `name`. */
  function tamper(manifest: SidecarManifest<any>, name: string, change: (spec: MethodSpec<any, any>) => MethodSpec<any, any>): SidecarManifest<any> {
    return { ...manifest, methods: { ...manifest.methods, [name]: change(manifest.methods[name]) } };
  }

  test('a result that breaks the result schema fails that method', async () => {
    const manifest = tamper(diffWithExamples, 'diff/words', (s) => ({ ...s, result: { ...s.result, required: ['parts', 'conformanceProbe'] } }));
    const report = await check(DIFF, { manifest });
    expect(failing(report)).toEqual(['methods/diff/words']);
    expect(rule(report, 'methods/diff/words').detail).toContain('result breaks the result schema: /conformanceProbe');
  });

  test('a chunk that breaks the partial schema fails the stream rule', async () => {
    const manifest = tamper(markdownWithExamples, 'markdown/outline', (s) => ({ ...s, partial: { type: 'object', required: ['conformanceProbe'] } }));
    const report = await check([MARKDOWN], { manifest });
    expect(failing(report)).toEqual(['streams/markdown/outline']);
    expect(rule(report, 'streams/markdown/outline').detail).toContain('breaks the partial schema');
  });

  test('an example that breaks its own params schema fails the method without being sent', async () => {
    const manifest = tamper(diffWithExamples, 'diff/lines', (s) => ({ ...s, params: { ...s.params, examples: [{ a: 1 }] } }));
    const report = await check(DIFF, { manifest });
    expect(failing(report)).toEqual(['methods/diff/lines']);
    expect(rule(report, 'methods/diff/lines').detail).toMatch(/^example 1 breaks the params schema/);
  });
});

test('every rule of every report cites a heading of docs/protocol.md', () => {
  const headings = new Set([...fs.readFileSync(path.join(REPO, 'docs/protocol.md'), 'utf8').matchAll(/^#+ (.*)$/gm)].map((m) => m[1].trim()));
  expect(headings.has('Transport')).toBe(true); // the extraction itself works
  expect(headings.has('Not a heading of the protocol')).toBe(false);
  const sections = new Set(reports.flatMap((r) => r.rules.map((x) => x.section)));
  expect(sections.size).toBeGreaterThanOrEqual(5);
  expect([...sections].filter((s) => !headings.has(s))).toEqual([]);
});
