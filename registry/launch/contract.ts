/**
 * The launch-transport seam: how one sidecar instance's process is started. Locally (the default,
 * no transport) the registry spawns the resolved binary itself; with a transport the registry hands
 * it the local launch it computed and the transport returns the command to spawn instead, for
 * example `ssh -T host -- <remote binary> --root <remote folder>`. It is chosen per registry (per
 * sidecar instance) through the `transport` launch option, never by a manifest, so the same
 * manifest runs here or on another machine and callers cannot tell the difference.
 */
import type { SpawnRequest } from '../../core/process/contract';
import type { ResolveContext } from '../binary/contract';
import type { BinarySpec } from '../manifest';

/** What the registry knows about one launch, handed to the transport at every (re)start. */
export interface LaunchContext {
  /** The sidecar's manifest name. */
  sidecar: string;
  /** The manifest's binary spec (a compiled `name`, or an explicit `command`). */
  binary: BinarySpec;
  /** The launch the registry would run locally: resolved binary, manifest args, merged env. */
  local: SpawnRequest;
  /** Only the variables the manifest's launch function added (the local env is not forwarded). */
  launchEnv: Record<string, string>;
  /** The app's resolve context (repo root, resources path) for finding per-target builds. */
  resolve: ResolveContext;
}

/**
 * Turns a local launch into the process to spawn. May take its time (provisioning) and throws
 * a `SidecarError` a person can act on; the supervisor passes that error to every waiting call.
 */
export interface LaunchTransport {
  /** A short description for logs and listings, e.g. `ssh -T dev@box --`. */
  readonly description: string;
  prepare(context: LaunchContext): Promise<SpawnRequest>;
}
