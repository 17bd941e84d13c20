/**
 * Follows docs/add-a-sidecar.md literally, as an app that installed the package would: in a
 * scratch app folder next to a checkout of this repository (`../skaffa-sidecars`, a symlink to it)
 * it runs the page's shell blocks in order and writes its `file=` blocks, so cargo builds the new
 * crate, tsc compiles the app against the package's published types, and the app's `main.ts`
 * prints the counts. The test then calls the built sidecar through a registry for the built-ins
 * and a schema error. If the page drifts from what works, this test fails.
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

test('the add-a-sidecar page, followed step by step in an app, gives a working sidecar', async () => {
  const scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-template-')));
  const app = path.join(scratch, 'my-app');
  try {
    fs.symlinkSync(REPO, path.join(scratch, 'skaffa-sidecars'));
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), '{ "name": "my-app", "private": true }\n');
    // The app's installed packages: this repository's node_modules holds skaffa-sidecars (a link to
    // the package root, resolved through its exports), tsyringe, reflect-metadata, typescript and
    // @types/node; test/package.test.ts covers installing the packed tarballs for real.
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(app, 'node_modules'));
    // Speed only: the repository's lockfile pins the shared crates to versions target/ already
    // holds compiled, and the app's target/ is the repository's, so only the new crate builds.
    fs.copyFileSync(path.join(REPO, 'Cargo.lock'), path.join(app, 'Cargo.lock'));
    fs.symlinkSync(path.join(REPO, 'target'), path.join(app, 'target'));

    const steps = blocks(fs.readFileSync(path.join(REPO, 'docs/add-a-sidecar.md'), 'utf8'));
    expect(steps.filter((b) => b.file).map((b) => b.file)).toEqual([
      'Cargo.toml',
      'sidecars/wordcount/Cargo.toml',
      'sidecars/wordcount/src/main.rs',
      'sidecars/wordcount/schema/count.params.json',
      'sidecars/wordcount/schema/count.result.json',
      'sidecars/wordcount/manifest.ts',
      'tsconfig.json',
      'main.ts',
    ]);
    let lastOutput = '';
    for (const step of steps) {
      if (step.file) {
        fs.writeFileSync(path.join(app, step.file), step.body);
      } else if (step.lang === 'sh') {
        lastOutput = execSync(step.body, { cwd: app, stdio: 'pipe', shell: '/bin/sh', encoding: 'utf8' });
      }
    }
    expect(lastOutput.trim()).toBe('{"lines":1,"words":2,"chars":10,"bytes":10}');

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { wordcountManifest } = require(path.join(app, 'dist/sidecars/wordcount/manifest.js'));
    const registry = makeRegistry([wordcountManifest], { resolve: { repoRoot: app, env: {}, platformPackageDir: null } });
    expect(registry.list()[0].binary).toMatchObject({ source: 'dev', path: path.join(app, 'target/debug/skaffa-wordcount') });
    expect(await registry.call('wordcount', '$/describe')).toMatchObject({ name: 'wordcount', methods: ['wordcount/count'] });
    const bad = await rejectionOf(registry.call('wordcount', 'wordcount/count', { txt: 'typo' }));
    expect(bad.code).toBe('INVALID_PARAMS');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}, 300_000);
