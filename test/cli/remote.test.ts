/**
 * `skaffa --remote`: the compiled CLI runs find and search on a folder through ssh to a test sshd
 * on 127.0.0.1 (see test/remote/sshd.ts), prints what a local run prints, reports the upload on
 * first use only, and explains a refused connection with its error code. `--remote` without
 * `--root` is a usage error. Skipped, with the reason, only where no sshd is installed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { shellQuote } from '../../registry/internal';
import { freePort, sshUnavailable, startSshd, type TestSshd } from '../../bench/lib/sshd';
import { ensureBuilt, makeTree, runCli } from './cli-harness';

jest.setTimeout(120_000);

const unavailable = sshUnavailable();
// CI installs sshd (test/toolchains), so there a missing one is a failure, never a quiet skip.
if (unavailable && process.env.CI === 'true') throw new Error(`CI must run the ssh tests: ${unavailable}`);
if (unavailable) console.warn(`skipping the --remote CLI tests: ${unavailable}`);
const describeSsh = unavailable ? describe.skip : describe;

test('--remote without --root is a usage error', async () => {
  ensureBuilt();
  const r = await runCli(['--remote', 'ssh -T box --', 'find', 'x']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--remote needs --root/);
});

describeSsh('skaffa --remote over ssh', () => {
  let sshd: TestSshd;
  let root: string;
  let remoteDir: string;
  beforeAll(async () => {
    ensureBuilt();
    sshd = await startSshd();
    root = makeTree();
    remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-cli-remote-'));
  });
  afterAll(async () => {
    await sshd?.stop();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(remoteDir, { recursive: true, force: true });
  });
  const remote = (o?: { port?: number }) => ['--remote', sshd.transport(o).map(shellQuote).join(' '), '--remote-dir', remoteDir, '--root', root];

  test('find and search print what a local run prints; the upload is reported once', async () => {
    const first = await runCli([...remote(), '--json', 'find', 'supvsr']);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/uploaded workspace \(.* MiB, .*\) to .*skaffa-workspace/);
    const local = await runCli(['--root', root, '--json', 'find', 'supvsr']);
    expect(JSON.parse(first.stdout)).toEqual(JSON.parse(local.stdout));

    const search = await runCli([...remote(), '--json', 'search', '-s', 'TODO']);
    expect(search.code).toBe(0);
    expect(search.stderr).not.toMatch(/uploaded/);
    const localSearch = await runCli(['--root', root, '--json', 'search', '-s', 'TODO']);
    const hits = (s: string) => (JSON.parse(s) as { lines: Array<{ path: string; line: number }> }).lines.map((l) => `${l.path}:${l.line}`).sort();
    expect(hits(search.stdout)).toEqual(hits(localSearch.stdout));
  });

  test('a refused connection exits 1 with REMOTE_UNREACHABLE and a hint', async () => {
    const r = await runCli([...remote({ port: await freePort() }), 'find', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error REMOTE_UNREACHABLE: .*Connection refused/);
    expect(r.stderr).toMatch(/docs\/remote\.md/);
  });
});
