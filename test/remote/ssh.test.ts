/**
 * The workspace sidecar through ssh, end to end, against a real OpenSSH server on 127.0.0.1 (see
 * `sshd.ts`): the first launch provisions the binary under the test's own remote folder and the
 * next one reuses it; findFiles, search, readFile and watch answer exactly as a local sidecar on
 * the same folder; killing the ssh process leaves no sidecar running on the far side and the
 * supervisor reconnects; a preinstalled binary is only described; a closed port, a key the server
 * refuses and a wrong version each fail with their own error code. Skipped, with the reason, only where no sshd is installed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RemoteErrorCodes, RemoteTransport, SidecarError, type ProvisionResult, type SupervisorEvents } from '../../registry';
import type { FileChange } from '../../sidecars/workspace';
import { hostTriple } from '../../registry/remote/targets';
import { isAlive, waitFor } from '../helpers';
import { makeWorkspace, openWorkspace, writeFile } from '../workspace/fixture';
import { freePort, processesMatching, sshUnavailable, startSshd, type TestSshd } from '../../bench/lib/sshd';

const unavailable = sshUnavailable();
// CI installs sshd (test/toolchains), so there a missing one is a failure, never a quiet skip.
if (unavailable && process.env.CI === 'true') throw new Error(`CI must run the ssh tests: ${unavailable}`);
if (unavailable) console.warn(`skipping the ssh tests: ${unavailable}`);
const describeSsh = unavailable ? describe.skip : describe;

jest.setTimeout(120_000);

describeSsh('workspace sidecar over ssh', () => {
  let sshd: TestSshd;
  let root: string;
  /** A fresh remote folder per test. */
  let remoteDir: string;
  /** One remote folder for the tests that only need a provisioned binary (uploaded once). */
  let sharedDir: string;

  /** A private copy of the build to upload, so a cargo build elsewhere in the test run (the
   * add-a-sidecar test shares target/) cannot change it between two provisionings. */
  let binaries: Record<string, string>;

  beforeAll(async () => {
    sshd = await startSshd();
    sharedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-remote-shared-'));
    const repo = path.resolve(__dirname, '../..');
    const musl = ['release', 'debug'].map((p) => path.join(repo, 'target/x86_64-unknown-linux-musl', p, 'skaffa-workspace')).find((f) => fs.existsSync(f));
    const triple = musl ? 'x86_64-unknown-linux-musl' : hostTriple()!;
    const copy = path.join(sharedDir, 'local-build');
    fs.copyFileSync(musl ?? path.join(repo, 'target/debug/skaffa-workspace'), copy);
    binaries = { [triple]: copy };
  });
  afterAll(async () => {
    await sshd?.stop();
    fs.rmSync(sharedDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    root = makeWorkspace();
    remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-remote-home-'));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(remoteDir, { recursive: true, force: true });
  });

  /** A workspace opened through ssh with a fresh transport on the test's remote folder. */
  function openRemote(options: ConstructorParameters<typeof RemoteTransport>[1] = {}, transport = sshd.transport(), dir = remoteDir) {
    const remote = new RemoteTransport(transport, { remoteDir: dir, binaries, ...options });
    const provisions: ProvisionResult[] = [];
    remote.on('provision', (p) => void provisions.push(p));
    return { ...openWorkspace(root, { transport: remote }), remote, provisions };
  }

  test('provisions the binary on first use and reuses it on the second', async () => {
    const first = openRemote();
    await expect(first.api.status()).resolves.toMatchObject({ state: expect.any(String) });
    expect(first.provisions).toHaveLength(1);
    const p = first.provisions[0];
    expect(p).toMatchObject({ sidecar: 'workspace', platform: expect.stringMatching(/^Linux /), uploaded: true, version: '0.1.0' });
    expect(p.bytes).toBeGreaterThan(0);
    expect(p.remotePath.startsWith(`${remoteDir}/0.1.0/${p.triple}/`)).toBe(true);
    expect(fs.statSync(p.remotePath).mode & 0o111).not.toBe(0);
    // No temporary upload file is left next to it.
    expect(fs.readdirSync(path.dirname(p.remotePath))).toEqual(['skaffa-workspace']);
    await first.registry.dispose();

    // A new transport (a new app run) finds the same file by checksum and does not upload.
    const second = openRemote();
    await second.api.status();
    expect(second.provisions).toEqual([expect.objectContaining({ uploaded: false, bytes: 0, remotePath: p.remotePath })]);
    await second.registry.dispose();

    // A remote copy that differs from the local build is replaced.
    fs.writeFileSync(p.remotePath, 'not the sidecar');
    const third = openRemote();
    await third.api.status();
    expect(third.provisions).toEqual([expect.objectContaining({ uploaded: true, remotePath: p.remotePath })]);
  });

  test('findFiles, search, readFile and watch answer like a local sidecar on the same folder', async () => {
    const local = openWorkspace(root).api;
    const { api: remote, registry } = openRemote({}, undefined, sharedDir);
    const requests: SupervisorEvents['request'][] = [];
    registry.on('request', (r) => void requests.push(r));

    for (const q of ['needle', 'mainrs', 'naive']) {
      expect(await remote.findFiles(q, { limit: 50, waitForIndex: true })).toEqual(await local.findFiles(q, { limit: 50, waitForIndex: true }));
    }
    const sort = (r: Awaited<ReturnType<typeof local.search>>) => ({ ...r, lines: [...r.lines].sort((a, b) => `${a.path}:${a.line}`.localeCompare(`${b.path}:${b.line}`)) });
    expect(sort(await remote.search('needle'))).toEqual(sort(await local.search('needle')));
    expect(sort(await remote.search('need(le|les)', { isRegex: true, caseSensitive: true }))).toEqual(sort(await local.search('need(le|les)', { isRegex: true, caseSensitive: true })));
    for (const file of ['README.md', 'ünïcode/naïve.txt']) expect(await remote.readFile(file)).toEqual(await local.readFile(file));
    expect(await remote.readFile('assets/logo.bin', { encoding: 'base64' })).toEqual(await local.readFile('assets/logo.bin', { encoding: 'base64' }));
    const outside = (await local.readFile('../outside').catch((e: unknown) => e)) as SidecarError;
    expect(outside.code).toEqual(expect.any(String));
    await expect(remote.readFile('../outside')).rejects.toMatchObject({ code: outside.code });

    // Per-call latency of remote calls is visible in the request events.
    expect(requests.find((r) => r.method === 'workspace/findFiles')).toMatchObject({ ok: true, durationMs: expect.any(Number) });

    const seen = { local: [] as FileChange[], remote: [] as FileChange[] };
    const subs = [local.watch('**/*.txt', (e) => void seen.local.push(...e.changes)), remote.watch('**/*.txt', (e) => void seen.remote.push(...e.changes))];
    await waitFor(async () => (await local.status()).watching && (await remote.status()).watching, 30_000, 'both watchers');
    writeFile(root, 'new/remote.txt', 'fresh\n');
    const created = (list: FileChange[]) => list.some((c) => c.path === 'new/remote.txt' && c.type === 'created');
    await waitFor(() => created(seen.local) && created(seen.remote), 15_000, 'the change on both sides');
    subs.forEach((s) => s.dispose());
    expect(await remote.glob('**/*.txt')).toEqual(await local.glob('**/*.txt'));
  });

  test('a killed ssh leaves no sidecar on the far side, and the supervisor reconnects', async () => {
    const { api, registry, provisions } = openRemote({}, undefined, sharedDir);
    await api.status();
    const remotePath = provisions[0].remotePath;
    const supervisor = registry.supervisor('workspace');
    const sshPid = supervisor.pid!;
    const far = processesMatching(remotePath);
    expect(far).toHaveLength(1); // positive control: the far sidecar is found while connected

    const crashed = new Promise<SupervisorEvents['crash']>((r) => supervisor.on('crash', r));
    const restarting = new Promise<SupervisorEvents['restart']>((r) => supervisor.on('restart', r));
    process.kill(sshPid, 'SIGKILL');
    expect((await crashed).signal).toBe('SIGKILL');
    // The reconnect goes through the supervisor's ordinary backoff.
    expect(await restarting).toMatchObject({ attempt: 1, delayMs: expect.any(Number) });
    await waitFor(() => !isAlive(far[0]), 15_000, 'the far sidecar to exit after its ssh died');

    // Reconnected through the usual backoff, without provisioning again.
    await expect(api.findFiles('readme', { waitForIndex: true })).resolves.toMatchObject({ matches: [expect.objectContaining({ path: 'README.md' })] });
    expect(supervisor.pid).not.toBe(sshPid);
    expect(provisions).toHaveLength(1);

    await registry.dispose();
    await waitFor(() => processesMatching(remotePath).length === 0, 15_000, 'no far sidecar after dispose');
  });

  test('a closed port is REMOTE_UNREACHABLE and a refused key REMOTE_AUTH_FAILED', async () => {
    const closed = openRemote({}, sshd.transport({ port: await freePort() }));
    await expect(closed.api.status()).rejects.toMatchObject({ code: RemoteErrorCodes.unreachable, message: expect.stringMatching(/refused/i) });

    const stranger = openRemote({}, sshd.transport({ key: sshd.strangerKey }));
    await expect(stranger.api.status()).rejects.toMatchObject({ code: RemoteErrorCodes.authFailed, message: expect.stringMatching(/permission denied/i) });
    // Nothing was provisioned by either.
    expect(fs.readdirSync(remoteDir)).toEqual([]);
  });

  test('a preinstalled remote binary is described, not uploaded; another version is REMOTE_VERSION_MISMATCH', async () => {
    // The "remote" is this machine, so the local build is a binary already installed there.
    const installed = path.join(__dirname, '../../target/debug/skaffa-workspace');
    const ok = openRemote({ remoteBinaries: { workspace: installed } });
    await ok.api.status();
    expect(ok.provisions).toEqual([expect.objectContaining({ remotePath: installed, uploaded: false, bytes: 0, version: '0.1.0' })]);

    const { api } = openRemote({ remoteBinaries: { workspace: installed }, version: '9.9.9' });
    const error = await api.status().catch((e: unknown) => e);
    expect(SidecarError.is(error, RemoteErrorCodes.versionMismatch)).toBe(true);
    expect((error as SidecarError).message).toMatch(/reports workspace 0\.1\.0, expected workspace 9\.9\.9/);
    expect(fs.readdirSync(remoteDir)).toEqual([]);
  });
});
