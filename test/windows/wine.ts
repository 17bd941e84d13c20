/**
 * The Windows build under wine, for the workspace sidecar's end-to-end tests. With
 * `SKAFFA_TEST_WINE=1` (set by `npm run test:windows`) the tests resolve the sidecar to the
 * cross-built `.exe` through the resolver's environment override and start it through a spawner
 * that puts `test/windows/wine-run` (wine plus the ProcessPrng shim, see there) in front of the
 * command. Everything else (supervisor, transport, validation, the tests' assertions) is the same
 * code that runs against the Linux binary.
 */
import * as path from 'node:path';
import { NodeProcessSpawner } from '../../registry/internal';
import type { ChildHandle, IProcessSpawner, SpawnRequest } from '../../core/process/contract';

/** True when this jest run targets the Windows build under wine. */
export const underWine = process.env.SKAFFA_TEST_WINE === '1';

const repo = path.resolve(__dirname, '..', '..');

/** The launcher script: runs its first argument (a Windows executable) under wine. */
export const WINE_RUN = path.join(repo, 'test', 'windows', 'wine-run');

/** Where `cargo build --target x86_64-pc-windows-gnu` puts the sidecar `name`. */
export function windowsExe(name: string): string {
  return path.join(repo, 'target', 'x86_64-pc-windows-gnu', 'debug', `${name}.exe`);
}

/** Starts every command under wine; pids, pipes and kills are those of the wine process. */
export class WineSpawner implements IProcessSpawner {
  private readonly inner = new NodeProcessSpawner();

  spawn(request: SpawnRequest): ChildHandle {
    return this.inner.spawn({ ...request, command: WINE_RUN, args: [request.command, ...request.args] });
  }
}
