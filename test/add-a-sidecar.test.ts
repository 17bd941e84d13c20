/**
 * Follows docs/add-a-sidecar.md literally: in a scratch copy of the repository it runs the page's
 * shell blocks and writes its `file=` blocks, builds the new crate, registers the manifest it
 * wrote, and calls the method. If the page drifts from what works, this test fails.
 */
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeRegistry, rejectionOf } from './helpers';

const REPO = path.resolve(__dirname, '..');

interface Block {
  lang: string;
  file?: string;
  body: string;
}

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  for (const m of markdown.matchAll(/^```(\w+)(?: file=(\S+))?\n([\s\S]*?)^```$/gm)) out.push({ lang: m[1], file: m[2], body: m[3] });
  return out;
}

test('the add-a-sidecar page, followed step by step, gives a working sidecar', async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-template-'));
  try {
    for (const f of ['Cargo.toml', 'Cargo.lock']) fs.copyFileSync(path.join(REPO, f), path.join(scratch, f));
    fs.cpSync(path.join(REPO, 'sidecars'), path.join(scratch, 'sidecars'), { recursive: true });
    for (const link of ['core', 'registry', 'node_modules']) fs.symlinkSync(path.join(REPO, link), path.join(scratch, link));

    const steps = blocks(fs.readFileSync(path.join(REPO, 'docs/add-a-sidecar.md'), 'utf8'));
    expect(steps.filter((b) => b.file)).toHaveLength(5);
    // Sharing the repo's target folder reuses the compiled dependencies, so only the new crate builds.
    const env = { ...process.env, CARGO_TARGET_DIR: path.join(REPO, 'target') };
    for (const step of steps) {
      if (step.file) {
        fs.writeFileSync(path.join(scratch, step.file), step.body);
      } else if (step.lang === 'sh') {
        execSync(step.body, { cwd: scratch, env, stdio: 'pipe', shell: '/bin/sh' });
      }
    }

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { wordcountManifest } = require(path.join(scratch, 'sidecars/wordcount/manifest.ts'));
    const registry = makeRegistry([wordcountManifest], { resolve: { repoRoot: REPO, env: {} } });
    expect(registry.list()[0].binary).toMatchObject({ source: 'dev', path: path.join(REPO, 'target/debug/skaffa-wordcount') });
    expect(await registry.call('wordcount', 'wordcount/count', { text: 'two words\n' })).toEqual({ lines: 1, words: 2, chars: 10, bytes: 10 });
    expect(await registry.call('wordcount', '$/describe')).toMatchObject({ name: 'wordcount', methods: ['wordcount/count'] });
    const bad = await rejectionOf(registry.call('wordcount', 'wordcount/count', { txt: 'typo' }));
    expect(bad.code).toBe('INVALID_PARAMS');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}, 300_000);
