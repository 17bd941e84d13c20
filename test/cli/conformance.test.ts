/**
 * `skaffa conformance` end to end: the compiled CLI checks a sidecar command given after `--`.
 * A sidecar that leaves children behind makes it exit 1 naming the children rule (human and
 * `--json` output); a conformant one, with its manifest loaded from `<module>#<export>`, exits 0;
 * a manifest that cannot be loaded is a usage error (exit 2).
 */
import * as path from 'node:path';
import { ensureBuilt, REPO, runCli } from './cli-harness';

jest.setTimeout(120_000);

beforeAll(() => ensureBuilt());

const leaky = [process.execPath, path.join(REPO, 'test/fixtures/conformance/leaky.js')];

test('a sidecar that leaves children behind fails, and the failing line names the children rule', async () => {
  const r = await runCli(['conformance', '--', ...leaky]);
  expect(r.code).toBe(1);
  const failed = r.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
  expect(failed).toEqual([expect.stringMatching(/^FAIL {2}MUST {4}transport\.children .*no process it started outlives it \(children rule\): after stdin EOF, 2 still running: .*§ Transport\]$/)]);
  expect(r.stdout).toMatch(/NOT conformant: a MUST rule failed\n$/);
});

test('--json prints the report as one document for CI', async () => {
  const r = await runCli(['--json', 'conformance', '--', ...leaky]);
  expect(r.code).toBe(1);
  const report = JSON.parse(r.stdout);
  expect(report.ok).toBe(false);
  expect(report.command).toEqual(leaky);
  expect(report.rules.filter((x: { status: string }) => x.status === 'fail').map((x: { id: string }) => x.id)).toEqual(['transport.children']);
});

test('a conformant sidecar with its manifest exits 0 (methods without examples only warn)', async () => {
  const r = await runCli(['conformance', '--manifest', 'dist/sidecars/markdown/manifest.js#markdownManifest', '--', path.join(REPO, 'target/release/skaffa-markdown')]);
  expect(r.stdout).toMatch(/conformant: every MUST holds\n$/);
  expect(r.stdout).toMatch(/^(WARN {2}MUST {4}methods\/markdown\/render .*no examples: not exercised|PASS {2}MUST {4}methods\/markdown\/render .*)/m);
  expect(r.code).toBe(0);
});

test('a manifest that cannot be loaded is a usage error', async () => {
  const r = await runCli(['conformance', '--manifest', 'dist/sidecars/markdown/manifest.js#nothingHere', '--', path.join(REPO, 'target/release/skaffa-markdown')]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('has no manifest export named "nothingHere"');
});
