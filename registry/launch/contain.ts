/**
 * Containment of local launches: every local sidecar runs under `skaffa-reaper` (the crate
 * `sidecars/reaper`), so that nothing it starts outlives it or main, even when the sidecar breaks
 * the children rule and even when main is SIGKILLed and never gets to clean up. The reaper is
 * found like a sidecar binary (`SKAFFA_SIDECAR_REAPER_PATH`, `target/`, the platform package,
 * `resourcesPath`). A manifest opts out with `contain: false`, an app with the launch option
 * `contain: false`; a missing reaper is said once in the log and the sidecar starts directly,
 * because a sidecar must still work without it. See docs/containment.md.
 */
import type { ILogger } from '../../core/logger';
import type { SpawnRequest } from '../../core/process/contract';
import type { IBinaryResolver } from '../binary/contract';
import type { BinarySpec, LaunchOptions, SidecarManifest } from '../manifest';

/** How the resolver is asked for the reaper: under the name `reaper`, so its override is `SKAFFA_SIDECAR_REAPER_PATH`. */
export const REAPER_NAME = 'reaper';
/** The reaper's executable, built by `cargo build` and shipped in the platform packages. */
export const REAPER_BINARY: BinarySpec = { name: 'skaffa-reaper' };

/** Wraps local launches in the reaper; one per registry, so a missing reaper is reported once per registry. */
export class Containment {
  private reported = false;

  constructor(
    private readonly resolver: IBinaryResolver,
    private readonly logger: ILogger,
    private readonly options: LaunchOptions,
    /** Main's process id, which the reaper watches. */
    private readonly mainPid: number = process.pid,
  ) {}

  /** The launch to spawn: `local` under the reaper, or `local` itself when containment is off or unavailable. */
  wrap(manifest: SidecarManifest, local: SpawnRequest): SpawnRequest {
    if (manifest.contain === false || this.options.contain === false) return local;
    let reaper: string;
    try {
      reaper = this.resolver.resolve(REAPER_NAME, REAPER_BINARY).path;
    } catch (e) {
      if (!this.reported) {
        this.reported = true;
        this.logger.warn(`skaffa-reaper not found; sidecars start uncontained (their own children may outlive main): ${(e as Error).message}`, {
          sidecar: manifest.name,
        });
      }
      return local;
    }
    return { ...local, command: reaper, args: ['--parent', String(this.mainPid), '--', local.command, ...local.args] };
  }
}
