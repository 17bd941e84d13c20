/**
 * A throwaway OpenSSH server for tests: Debian's `sshd` on 127.0.0.1 on a free port, with a host
 * key and a client key generated in a temporary folder, its own config (no PAM, no passwords, keys
 * only) and its own known_hosts, so nothing of the machine's ssh setup is read or changed. It runs
 * as whoever runs the tests (CI runs as root; a non-root user can log in as itself). `transport()`
 * gives the `ssh` command prefix a `RemoteTransport` takes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const SSHD = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => fs.existsSync(p));

/** Why the ssh tests cannot run here, or undefined when they can. */
export function sshUnavailable(): string | undefined {
  // The remote side is inspected through /proc and pgrep, and the server setup is Debian's.
  if (process.platform !== 'linux') return `the test sshd setup is Linux-only (this is ${process.platform})`;
  if (!SSHD) return 'no sshd (apt-get install openssh-server)';
  if (process.getuid?.() !== 0 && !fs.existsSync('/run/sshd')) return 'not root and /run/sshd (sshd privilege separation folder) is missing';
  if (spawnSync('ssh', ['-V']).error) return 'no ssh client (apt-get install openssh-client)';
  if (spawnSync('ssh-keygen', ['-?']).error) return 'no ssh-keygen (apt-get install openssh-client)';
  return undefined;
}

/** A running test sshd. */
export interface TestSshd {
  port: number;
  dir: string;
  user: string;
  /** The ssh prefix for this server, with `key` (default: the authorized client key). */
  transport(options?: { key?: string; port?: number }): string[];
  /** A key that the server does not accept. */
  strangerKey: string;
  stop(): Promise<void>;
}

/** Starts sshd and resolves once it listens. */
export async function startSshd(): Promise<TestSshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-sshd-'));
  const key = (name: string) => {
    const file = path.join(dir, name);
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
    if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
    fs.chmodSync(file, 0o600);
    return file;
  };
  const hostKey = key('host_key');
  const clientKey = key('client_key');
  const strangerKey = key('stranger_key');
  fs.copyFileSync(`${clientKey}.pub`, path.join(dir, 'authorized_keys'));
  // Privilege separation needs this folder; as root we may create it, otherwise it must exist.
  if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'MaxStartups 100',
      'MaxSessions 100',
      'LogLevel INFO',
      '',
    ].join('\n'),
  );
  const sshd: ChildProcess = spawn(SSHD!, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start listening:\n${log}`)), 15_000);
    sshd.stderr!.on('data', (b: Buffer) => {
      log += b.toString();
      if (log.includes('Server listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    sshd.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code}:\n${log}`));
    });
  });
  const user = os.userInfo().username;
  const knownHosts = path.join(dir, 'known_hosts');
  return {
    port,
    dir,
    user,
    strangerKey,
    transport: (o = {}) => [
      'ssh',
      '-F',
      'none',
      '-T',
      '-i',
      o.key ?? clientKey,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-o',
      'BatchMode=yes',
      '-o',
      'LogLevel=ERROR',
      '-o',
      'ConnectTimeout=10',
      '-p',
      String(o.port ?? port),
      `${user}@127.0.0.1`,
      '--',
    ],
    stop: async () => {
      if (sshd.exitCode === null && sshd.signalCode === null) {
        const exited = new Promise((r) => sshd.once('exit', r));
        sshd.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP port that was free a moment ago (nothing listens on it after this returns). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Pids of processes whose command line contains `needle` (pgrep -f), excluding ssh clients. */
export function processesMatching(needle: string): number[] {
  const r = spawnSync('pgrep', ['-f', '--', needle], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number)
    .filter((pid) => {
      // The local ssh client carries the remote command in its own argv; only the far side counts.
      const cmd = readCmdline(pid);
      return cmd !== undefined && !cmd.startsWith('ssh\0') && !cmd.includes('pgrep');
    });
}

function readCmdline(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}
