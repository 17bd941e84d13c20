/**
 * `RemoteTransport`: a `LaunchTransport` that runs sidecars on another machine through a command
 * prefix carrying stdio (`ssh -T dev@box --`, `docker exec -i ctr`, `kubectl exec -i pod --`,
 * `wsl -e`). On a sidecar's first launch it provisions the binary (see `provision.ts`) under
 * `<remoteDir>/<version>/<triple>/<bin>` and reports what it did as a `provision` event; later
 * launches, including restarts after the link dropped, reuse that result and spawn at once, so
 * reconnecting follows the supervisor's usual backoff. The far process is a child of the transport
 * and reads its stdin from it: when the transport dies, stdin closes and the sidecar exits.
 */
import Emittery from 'emittery';
import { SidecarError } from '../../core/errors';
import { toDisposable, type Disposable, type Listener } from '../../core/events';
import type { IProcessSpawner, SpawnRequest } from '../../core/process/contract';
import { NodeProcessSpawner } from '../../core/process/node-spawner';
import type { LaunchContext, LaunchTransport } from '../launch/contract';
import { parseTransport, remoteCommand, type CommandStyle, type TransportCommand } from './command';
import { RemoteErrorCodes } from './errors';
import { describe, probe, readLocal, sha256, upload, type StepContext } from './provision';
import { firstExisting, KNOWN_TRIPLES, localBuildCandidates, type LocalBuild } from './targets';
import { SIDECAR_VERSION } from './version';

/** Options of a remote transport; all optional. */
export interface RemoteTransportOptions {
  /** Remote folder of provisioned binaries; `~/` is the remote home. Default `~/.skaffa-sidecars`. */
  remoteDir?: string;
  /** Version `$/describe` must report; also names the remote folder. Default: this release's. */
  version?: string;
  /** Sidecars to run remotely. Default: every sidecar with a compiled binary (`binary.name`);
   * sidecars started with an explicit `command` (Node scripts) stay local unless listed. */
  sidecars?: string[];
  /** Local builds to upload, per Rust target triple (e.g. `x86_64-unknown-linux-musl`). */
  binaries?: Record<string, string>;
  /** Per sidecar: a binary already installed on the remote; it is described, never uploaded. */
  remoteBinaries?: Record<string, string>;
  /** Forces how the remote command is passed (default: `shell` for ssh, `argv` otherwise). */
  style?: CommandStyle;
  /** Deadline of each provisioning step except the upload (at least 120 s). Default 30 s. */
  stepTimeoutMs?: number;
  /** Spawner for the transport processes of provisioning (default: Node's). */
  spawner?: IProcessSpawner;
}

/** What provisioning did for one sidecar. */
export interface ProvisionResult {
  sidecar: string;
  /** `uname -sm` of the remote. */
  platform: string;
  /** The target triple of the build in use (undefined for a preinstalled `remoteBinaries` entry). */
  triple?: string;
  remotePath: string;
  /** True when the binary was uploaded, false when the remote copy already matched. */
  uploaded: boolean;
  /** Bytes sent (0 when reused). */
  bytes: number;
  /** The version the remote binary reported. */
  version: string;
  durationMs: number;
}

/** Events of a remote transport. */
export interface RemoteTransportEvents {
  provision: ProvisionResult;
}

export class RemoteTransport implements LaunchTransport {
  readonly description: string;
  private readonly command: TransportCommand;
  private readonly provisioned = new Map<string, Promise<ProvisionResult>>();
  private readonly emitter = new Emittery<RemoteTransportEvents>();
  private readonly spawner: IProcessSpawner;

  constructor(
    transport: string | string[],
    private readonly options: RemoteTransportOptions = {},
  ) {
    this.command = parseTransport(transport, options.style);
    this.description = Array.isArray(transport) ? transport.join(' ') : transport;
    this.spawner = options.spawner ?? new NodeProcessSpawner();
  }

  /** Subscribes to provisioning reports; dispose the result to unsubscribe. */
  on<K extends keyof RemoteTransportEvents>(name: K, listener: Listener<RemoteTransportEvents[K]>): Disposable {
    return toDisposable(this.emitter.on(name, listener));
  }

  /** The provisioning result of `sidecar`, once its first launch has provisioned it. */
  async provisionResult(sidecar: string): Promise<ProvisionResult | undefined> {
    return this.provisioned.get(sidecar)?.catch(() => undefined);
  }

  async prepare(ctx: LaunchContext): Promise<SpawnRequest> {
    if (!this.isRemote(ctx)) return ctx.local;
    if (!('name' in ctx.binary)) {
      throw new SidecarError(
        RemoteErrorCodes.unsupportedPlatform,
        `only compiled sidecars can run remotely; this one is started with ${ctx.binary.command} (leave it out of "sidecars" to run it locally)`,
        { sidecar: ctx.sidecar, retryable: false },
      );
    }
    let pending = this.provisioned.get(ctx.sidecar);
    if (!pending) {
      pending = this.provision(ctx, ctx.binary.name);
      this.provisioned.set(ctx.sidecar, pending);
      // A failed attempt is forgotten, so the next call tries again (the host may be back).
      pending.catch(() => this.provisioned.delete(ctx.sidecar));
    }
    const result = await pending;
    const { command, args } = remoteCommand(this.command, this.remoteArgv(result.remotePath, ctx));
    return { command, args, env: transportEnv(ctx) };
  }

  private isRemote(ctx: LaunchContext): boolean {
    if (this.options.sidecars) return this.options.sidecars.includes(ctx.sidecar);
    return 'name' in ctx.binary;
  }

  /** The remote command line: the binary, the manifest's args, the manifest's env via `env`. */
  private remoteArgv(remotePath: string, ctx: LaunchContext): string[] {
    const env = Object.entries(ctx.launchEnv).map(([k, v]) => `${k}=${v}`);
    const argv = [...(env.length > 0 ? ['env', ...env] : []), remotePath, ...ctx.local.args];
    // Through a shell, `exec` replaces it, so the sidecar is the transport's direct child.
    return this.command.style === 'shell' ? ['exec', ...argv] : argv;
  }

  private async provision(ctx: LaunchContext, bin: string): Promise<ProvisionResult> {
    const started = Date.now();
    const step: StepContext = {
      spawner: this.spawner,
      transport: this.command,
      description: this.description,
      sidecar: ctx.sidecar,
      env: transportEnv(ctx),
      timeoutMs: this.options.stepTimeoutMs ?? 30_000,
    };
    const version = this.options.version ?? SIDECAR_VERSION;
    const preinstalled = this.options.remoteBinaries?.[ctx.sidecar];
    // Every local build we have, per triple, and where each would live remotely: the probe
    // checksums those remote copies in the same invocation that learns the platform.
    // The first existing candidate per triple, in candidate order (explicit `binaries` first).
    const builds: LocalBuild[] = [];
    for (const c of preinstalled ? [] : localBuildCandidates(bin, KNOWN_TRIPLES, ctx.resolve, ctx.local.command, this.options.binaries)) {
      if (!builds.some((b) => b.triple === c.triple) && firstExisting([c])) builds.push(c);
    }
    const dir = (this.options.remoteDir ?? '~/.skaffa-sidecars').replace(/\/+$/, '');
    const remoteFile = (triple: string) => `${dir}/${version}/${triple}/${bin}`;
    const { platform, home, checksums } = await probe(step, builds.map((b) => remoteFile(b.triple)));
    const uname = `${platform.os} ${platform.machine}`.trim();
    let remotePath = preinstalled;
    let triple: string | undefined;
    let uploaded = false;
    let bytes = 0;
    if (!remotePath) {
      if (platform.triples.length === 0) {
        throw new SidecarError(RemoteErrorCodes.unsupportedPlatform, `no build of ${bin} exists for a remote reporting "${uname}" (supported: Linux and macOS on x86_64 and aarch64)`, {
          sidecar: ctx.sidecar,
          retryable: false,
        });
      }
      const index = builds.findIndex((b) => platform.triples.includes(b.triple));
      if (index < 0) {
        const candidates = localBuildCandidates(bin, platform.triples, ctx.resolve, ctx.local.command, this.options.binaries);
        const tried = candidates.map((c) => `  - ${c.triple}: ${c.path}`).join('\n');
        throw new SidecarError(
          RemoteErrorCodes.unsupportedPlatform,
          `no local build of ${bin} for the remote (${uname}); tried:\n${tried}\nBuild one: rustup target add ${platform.triples[0]} && cargo build --release --target ${platform.triples[0]} -p ${bin}`,
          { sidecar: ctx.sidecar, retryable: false, data: { candidates } },
        );
      }
      const build = builds[index];
      triple = build.triple;
      remotePath = resolveHome(remoteFile(triple), home);
      const data = readLocal(build.path, ctx.sidecar);
      const sum = sha256(data);
      if (checksums[index] !== sum) {
        await upload(step, data, remotePath.slice(0, remotePath.lastIndexOf('/')), remotePath, sum);
        uploaded = true;
        bytes = data.length;
      }
    }
    const described = await describe(step, this.remoteArgv(remotePath, ctx));
    if (described.name !== ctx.sidecar || described.version !== version) {
      throw new SidecarError(
        RemoteErrorCodes.versionMismatch,
        `the remote binary ${remotePath} reports ${described.name} ${described.version}, expected ${ctx.sidecar} ${version} (rebuild it, or remove the remote file so it is uploaded again)`,
        { sidecar: ctx.sidecar, retryable: false, data: { remotePath, reported: described, expected: { name: ctx.sidecar, version } } },
      );
    }
    const result: ProvisionResult = { sidecar: ctx.sidecar, platform: uname, triple, remotePath, uploaded, bytes, version: described.version, durationMs: Date.now() - started };
    this.emitter.emit('provision', result).catch(() => undefined);
    return result;
  }
}

/** Expands a leading `~` to the remote home (as the probe script does). */
function resolveHome(file: string, home: string): string {
  return file === '~' ? home : file.startsWith('~/') ? `${home}/${file.slice(2)}` : file;
}

/** Variables the transport program itself needs although the sidecar environment policy drops
 * them (an ssh agent's socket looks like a credential, and is one, but ssh cannot use the agent
 * without it). They reach the local transport process only; the far sidecar gets the manifest's
 * own variables through `env`. */
const TRANSPORT_ENV = ['SSH_AUTH_SOCK', 'SSH_AGENT_PID', 'SSH_ASKPASS', 'SSH_ASKPASS_REQUIRE', 'DISPLAY'];

export function transportEnv(ctx: LaunchContext): Record<string, string | undefined> {
  const env = { ...ctx.local.env };
  for (const name of TRANSPORT_ENV) {
    const value = ctx.resolve.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
