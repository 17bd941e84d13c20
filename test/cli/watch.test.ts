/**
 * End-to-end test of `skaffa watch --json`: after the "watching" line a new file shows up as one
 * NDJSON batch, and Ctrl-C (SIGINT) ends the CLI with exit code 130 after shutting the sidecar
 * down, leaving no sidecar process behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, exited, makeTree, sidecarPids, startCli, waitFor } from './cli-harness';

jest.setTimeout(60_000);

let root: string;
beforeAll(() => {
  ensureBuilt();
  root = makeTree();
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('watch --json streams a created file, and SIGINT exits 130 with no sidecar left', async () => {
  const cli = startCli(['--root', root, '--json', 'watch', '**/*.rs']);
  const done = exited(cli);
  try {
    await waitFor('the "watching" line', () => cli.out.stderr.includes('watching'));
    const [sidecar] = await waitFor('the sidecar process', () => sidecarPids(root).length > 0 && sidecarPids(root));

    fs.writeFileSync(path.join(root, 'src', 'new_file.rs'), 'fn main() {}\n');
    fs.writeFileSync(path.join(root, 'not-watched.txt'), 'outside the glob\n');
    const batch = await waitFor('a change batch on stdout', () => {
      const lines = cli.out.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      return lines.find((b) => b.changes.some((c: { path: string }) => c.path === 'src/new_file.rs'));
    });
    expect(batch.changes).toContainEqual({ path: 'src/new_file.rs', type: 'created' });
    // The glob filters in main: the .txt file never appears.
    expect(cli.out.stdout).not.toContain('not-watched.txt');

    cli.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(() => process.kill(sidecar!, 0)).toThrow();
    expect(sidecarPids(root)).toEqual([]);
  } finally {
    if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
  }
});
