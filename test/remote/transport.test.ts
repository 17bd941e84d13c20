/**
 * Remote transports without ssh: how the command line is built for each transport family (ssh
 * quotes one string for the remote shell; docker exec, kubectl exec and wsl -e take an argv), how
 * a transport string is split, how `uname -sm` maps to build targets, how failures are classified
 * (with the real ENOSPC message of this machine's libc), that the version constant follows the
 * Cargo workspace, and, end to end, an argv-style transport (`env`, which runs its command here,
 * standing in for `docker exec -i` and `wsl -e`, which cannot run on this machine) that provisions
 * and serves calls, and a remote whose `uname` names an unsupported platform.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RemoteErrorCodes, RemoteTransport, SIDECAR_VERSION, type ProvisionResult } from '../../registry';
import { parseTransport, parseUname, remoteCommand, splitWords } from '../../registry/internal';
import { classifyTransportFailure } from '../../registry/remote/errors';
import { transportEnv } from '../../registry/remote/transport';
import { sidecarEnv } from '../../registry/env';
import { makeWorkspace, openWorkspace } from '../workspace/fixture';

const REPO = path.resolve(__dirname, '../..');
/** The musl build `npm test` makes (test/remote/build-musl). */
const MUSL = ['release', 'debug'].map((p) => path.join(REPO, 'target/x86_64-unknown-linux-musl', p, 'skaffa-workspace')).find((f) => fs.existsSync(f));
if (!MUSL && process.env.CI === 'true' && process.platform === 'linux' && process.arch === 'x64') throw new Error('CI must test the musl build (test/remote/build-musl)');

describe('the transport process environment', () => {
  test('ssh keeps the agent socket that the sidecar policy scrubs; the sidecar env stays scrubbed', () => {
    const main = { PATH: '/bin', SSH_AUTH_SOCK: '/tmp/agent.sock', GITHUB_TOKEN: 'secret' };
    const local = { command: 'x', args: [], env: sidecarEnv(main, undefined) };
    // Positive control: the scrubbed policy drops the agent socket for a local sidecar.
    expect(local.env.SSH_AUTH_SOCK).toBeUndefined();
    const env = transportEnv({ sidecar: 'workspace', binary: { name: 'skaffa-workspace' }, local, launchEnv: {}, resolve: { env: main } as never });
    expect(env).toMatchObject({ PATH: '/bin', SSH_AUTH_SOCK: '/tmp/agent.sock' });
    expect(env.GITHUB_TOKEN).toBeUndefined();
  });
});

describe('transport command lines', () => {
  test('ssh gets one shell-quoted remote command after its own arguments', () => {
    const t = parseTransport("ssh -T -p 2222 'dev@box' --");
    expect(t).toMatchObject({ kind: 'ssh', style: 'shell', prefix: ['ssh', '-T', '-p', '2222', 'dev@box', '--'] });
    const { command, args } = remoteCommand(t, ['exec', '/home/dev/.skaffa-sidecars/0.1.0/x/skaffa-workspace', '--root', "/srv/it's here", '--exclude', '*.log']);
    expect(command).toBe('ssh');
    expect(args).toEqual(['-T', '-p', '2222', 'dev@box', '--', "exec /home/dev/.skaffa-sidecars/0.1.0/x/skaffa-workspace --root '/srv/it'\\''s here' --exclude '*.log'"]);
    // The quoted string, run by a POSIX shell, gives back exactly the words.
    if (process.platform === 'win32') return;
    const r = spawnSync('sh', ['-c', args[args.length - 1].replace(/^exec \S+/, 'printf "%s\\n"')], { encoding: 'utf8' });
    expect(r.stdout.split('\n').slice(0, -1)).toEqual(['--root', "/srv/it's here", '--exclude', '*.log']);
  });

  test.each([
    ['docker exec -i ctr', 'docker', ['exec', '-i', 'ctr']],
    ['podman exec -i -u dev ctr', 'docker', ['exec', '-i', '-u', 'dev', 'ctr']],
    ['kubectl exec -i -n dev pod/ws --', 'kubectl', ['exec', '-i', '-n', 'dev', 'pod/ws', '--']],
    ['wsl -d Ubuntu -e', 'wsl', ['-d', 'Ubuntu', '-e']],
    ['C:\\Windows\\System32\\wsl.exe -e', 'wsl', ['-e']],
  ])('%s passes the remote argv unquoted', (spec, kind, rest) => {
    const t = parseTransport(spec);
    expect(t).toMatchObject({ kind, style: 'argv' });
    const { command, args } = remoteCommand(t, ['/opt/sk/skaffa-workspace', '--root', '/work/my project']);
    expect(command).toBe(splitWords(spec)[0]);
    expect(args).toEqual([...rest, '/opt/sk/skaffa-workspace', '--root', '/work/my project']);
  });

  test('strings split like a shell; the style can be forced; bad input is refused', () => {
    expect(splitWords(`ssh -o "ProxyCommand=ssh -W %h:%p jump" a\\ b 'c d' ""`)).toEqual(['ssh', '-o', 'ProxyCommand=ssh -W %h:%p jump', 'a b', 'c d', '']);
    expect(parseTransport(['my-tunnel', 'box'], 'shell')).toMatchObject({ kind: 'other', style: 'shell' });
    expect(() => parseTransport('  ')).toThrow(/empty/);
    expect(() => parseTransport("ssh 'box")).toThrow(/unterminated/);
  });
});

describe('which sidecars go remote', () => {
  const ctx = (binary: { name: string } | { command: string }) => ({
    sidecar: 'name' in binary ? 'workspace' : 'diff',
    binary,
    local: { command: '/local/bin', args: ['--x'], env: {} },
    launchEnv: {},
    resolve: { env: {}, platform: process.platform, isPackaged: false },
  });

  test('sidecars started with an explicit command stay local by default', async () => {
    const t = new RemoteTransport('ssh -T box --');
    await expect(t.prepare(ctx({ command: process.execPath }))).resolves.toEqual({ command: '/local/bin', args: ['--x'], env: {} });
  });

  test('naming a command-started sidecar as remote is refused with a reason', async () => {
    const t = new RemoteTransport('ssh -T box --', { sidecars: ['diff'] });
    await expect(t.prepare(ctx({ command: process.execPath }))).rejects.toMatchObject({ code: RemoteErrorCodes.unsupportedPlatform, message: expect.stringMatching(/only compiled sidecars/) });
    // ...and a compiled one left out of the list stays local.
    await expect(t.prepare(ctx({ name: 'skaffa-workspace' }))).resolves.toMatchObject({ command: '/local/bin' });
  });
});

describe('platforms and errors', () => {
  test('uname -sm maps to target triples, musl first', () => {
    expect(parseUname('Linux x86_64\n').triples).toEqual(['x86_64-unknown-linux-musl', 'x86_64-unknown-linux-gnu']);
    expect(parseUname('Linux aarch64').triples).toEqual(['aarch64-unknown-linux-musl', 'aarch64-unknown-linux-gnu']);
    expect(parseUname('Darwin arm64').triples).toEqual(['aarch64-apple-darwin']);
    expect(parseUname('FreeBSD amd64').triples).toEqual([]);
    expect(parseUname('Linux riscv64').triples).toEqual([]);
  });

  test('failures are classified by transport and message', () => {
    const ssh = (code: number, stderr: string) => classifyTransportFailure('ssh', { code, signal: null, stderr }, 'workspace', 'ssh box', 'probing')?.code;
    expect(ssh(255, 'ssh: Could not resolve hostname nobox: Name or service not known')).toBe(RemoteErrorCodes.unreachable);
    expect(ssh(255, 'ssh: connect to host 10.0.0.1 port 22: Connection timed out')).toBe(RemoteErrorCodes.unreachable);
    expect(ssh(255, 'dev@box: Permission denied (publickey).')).toBe(RemoteErrorCodes.authFailed);
    expect(ssh(255, 'Host key verification failed.')).toBe(RemoteErrorCodes.authFailed);
    // A remote command that fails on its own is not the transport's failure.
    expect(ssh(1, 'Permission denied')).toBeUndefined();
    const docker = (code: number, stderr: string) => classifyTransportFailure('docker', { code, signal: null, stderr }, 'workspace', 'docker exec -i c', 'probing')?.code;
    expect(docker(1, 'Error response from daemon: No such container: c')).toBe(RemoteErrorCodes.unreachable);
    expect(docker(1, 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?')).toBe(RemoteErrorCodes.unreachable);
    expect(docker(1, 'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock')).toBe(RemoteErrorCodes.authFailed);
    // Inside the container, a command's own "Permission denied" is a provisioning problem, not a login one.
    expect(docker(1, "mkdir: cannot create directory '/opt/x': Permission denied")).toBeUndefined();
    expect(classifyTransportFailure('kubectl', { code: 1, signal: null, stderr: 'Error from server (NotFound): pods "ws" not found' }, 'w', 'kubectl exec -i ws --', 'probing')?.code).toBe(
      RemoteErrorCodes.unreachable,
    );
    expect(classifyTransportFailure('wsl', { code: 1, signal: null, stderr: 'There is no distribution with the supplied name.' }, 'w', 'wsl -d X -e', 'probing')?.code).toBe(
      RemoteErrorCodes.unreachable,
    );
    expect(docker(2, 'mkdir: cannot create directory: Read-only file system')).toBeUndefined();
    const missing = Object.assign(new Error('spawn nossh ENOENT'), { code: 'ENOENT' });
    expect(classifyTransportFailure('ssh', { code: null, signal: null, stderr: '', spawnError: missing }, 'w', 'nossh', 'probing')?.code).toBe(RemoteErrorCodes.transportNotFound);
  });

  (process.platform === 'linux' ? test : test.skip)('a full disk (the real ENOSPC message of cat) is REMOTE_NO_SPACE', () => {
    const r = spawnSync('sh', ['-c', 'printf data | cat > /dev/full'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    const e = classifyTransportFailure('ssh', { code: r.status, signal: null, stderr: r.stderr }, 'workspace', 'ssh box', 'uploading the binary');
    expect(e).toMatchObject({ code: RemoteErrorCodes.noSpace, message: expect.stringMatching(/No space left on device/) });
  });

  test('the version every sidecar reports is the Cargo workspace and package version', () => {
    const cargo = /\[workspace\.package\][^[]*?version = "([^"]+)"/.exec(fs.readFileSync(path.join(REPO, 'Cargo.toml'), 'utf8'))?.[1];
    expect(cargo).toBe(SIDECAR_VERSION);
    expect(JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version).toBe(SIDECAR_VERSION);
  });
});

// These run the "remote" command on this machine and look at it through /proc: Linux only.
const describeLinux = process.platform === 'linux' ? describe : describe.skip;

describeLinux('argv-style transports end to end', () => {
  let root: string;
  let remoteDir: string;
  beforeEach(() => {
    root = makeWorkspace();
    remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-remote-argv-'));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(remoteDir, { recursive: true, force: true });
  });

  test('provisions through an argv transport into the default ~/.skaffa-sidecars and answers calls', async () => {
    // The "remote" home is the test's folder, so the default remote folder is exercised safely.
    const remote = new RemoteTransport(['env', 'SKAFFA_VIA=argv', `HOME=${remoteDir}`]);
    const provisions: ProvisionResult[] = [];
    remote.on('provision', (p) => void provisions.push(p));
    const { api, registry } = openWorkspace(root, { transport: remote });
    expect((await api.findFiles('finder', { waitForIndex: true })).matches[0]).toMatchObject({ path: 'src/lib/needle_finder.rs' });
    // A static musl build, when there is one, is preferred over the host's glibc build.
    const triple = MUSL && process.arch === 'x64' ? 'x86_64-unknown-linux-musl' : process.arch === 'x64' ? 'x86_64-unknown-linux-gnu' : expect.any(String);
    expect(provisions).toEqual([expect.objectContaining({ uploaded: true, triple, remotePath: `${remoteDir}/.skaffa-sidecars/0.1.0/${provisions[0]?.triple}/skaffa-workspace` })]);
    // The running sidecar is the provisioned copy, not the local build.
    const pid = registry.supervisor('workspace').pid!;
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toEqual([provisions[0].remotePath, '--root', root, '']);
    // ...started through the transport prefix (env execs it with the variable set).
    expect(fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain('SKAFFA_VIA=argv');
  });

  (MUSL && process.arch === 'x64' ? test : test.skip)('a build named in `binaries` outranks the musl build cargo left in target/', async () => {
    const host = path.join(REPO, 'target/debug/skaffa-workspace');
    const remote = new RemoteTransport(['env'], { remoteDir, binaries: { 'x86_64-unknown-linux-gnu': host } });
    const provisions: ProvisionResult[] = [];
    remote.on('provision', (p) => void provisions.push(p));
    const { api } = openWorkspace(root, { transport: remote });
    await api.status();
    expect(provisions).toEqual([expect.objectContaining({ triple: 'x86_64-unknown-linux-gnu', uploaded: true })]);
  });

  (MUSL ? test : test.skip)('the musl build is statically linked, so it runs whatever the remote glibc', () => {
    const r = spawnSync('ldd', [MUSL!], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toMatch(/statically linked|not a dynamic executable/);
    // Positive control: the host build is dynamic, so the check can tell them apart.
    const host = spawnSync('ldd', [path.join(REPO, 'target/debug/skaffa-workspace')], { encoding: 'utf8' });
    expect(host.stdout).toMatch(/libc\.so/);
  });

  test('a remote whose uname names an unsupported platform is REMOTE_UNSUPPORTED_PLATFORM', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-fake-uname-'));
    try {
      fs.writeFileSync(path.join(bin, 'uname'), '#!/bin/sh\necho "Plan9 mips"\n', { mode: 0o755 });
      const remote = new RemoteTransport(['env', `PATH=${bin}:/usr/bin:/bin`], { remoteDir });
      const { api } = openWorkspace(root, { transport: remote });
      await expect(api.status()).rejects.toMatchObject({ code: RemoteErrorCodes.unsupportedPlatform, message: expect.stringContaining('Plan9 mips') });
      expect(fs.readdirSync(remoteDir)).toEqual([]);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  test('a link that hangs during provisioning is killed at the step deadline: REMOTE_UNREACHABLE', async () => {
    // A "transport" that never runs the remote command and never exits, like a stalled connection.
    const remote = new RemoteTransport(['sh', '-c', 'exec sleep 120', 'stalled'], { remoteDir, stepTimeoutMs: 500 });
    const { api } = openWorkspace(root, { transport: remote });
    await expect(api.status()).rejects.toMatchObject({ code: RemoteErrorCodes.unreachable, retryable: true, message: expect.stringMatching(/within 500 ms/) });
  });

  test('a transport that is not installed is REMOTE_TRANSPORT_NOT_FOUND', async () => {
    const { api } = openWorkspace(root, { transport: new RemoteTransport('no-such-transport-xyz -i box', { remoteDir }) });
    await expect(api.status()).rejects.toMatchObject({ code: RemoteErrorCodes.transportNotFound });
  });
});
