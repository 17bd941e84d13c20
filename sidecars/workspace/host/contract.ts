/**
 * `WorkspaceHost`: one workspace sidecar per folder for apps with several windows. `open(root)`
 * gives the window's WorkspaceAPI (the same one for the same folder), `close(root)` stops that
 * folder's sidecar, and `dispose()` stops them all once, with a deadline, so quitting never hangs
 * on a sidecar. `installQuitHook` wires that to Electron's `will-quit`. Other sidecars of a folder
 * (the typescript analysis sidecar, say) are registered by `configure` and reached with
 * `resolve(root, token)`; registering one starts nothing, so a folder only ever runs what is used.
 */
import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { StopOptions } from '../../../core/supervisor/contract';
import type { SidecarDefaults } from '../../../registry/container';
import type { ISidecarRegistry } from '../../../registry/contract';
import type { WorkspaceAPI } from '../api/contract';

/** How the host builds each folder's container. */
export interface WorkspaceHostOptions {
  /** Parent of every folder's child container (default: tsyringe's root container). */
  container?: DependencyContainer;
  /** Passed to `registerSidecarDefaults` for each folder; `launch.workspaceRoot` is set per folder, `launch.workspaceCacheDir` from `cacheDir`. */
  defaults?: SidecarDefaults;
  /**
   * The absolute folder where each folder's sidecar keeps its index snapshot, so reopening a
   * folder answers at once (the sidecar makes one subfolder per root, tagged with a
   * `CACHEDIR.TAG`). Default: the platform's cache folder for `appName` (see `defaultCacheDir`),
   * not Electron's `userData`, which may be roamed or synced; none by default when
   * `defaults.launch.transport` runs the sidecar elsewhere. `null`: no snapshot.
   * `defaults.launch.workspaceCacheDir` wins.
   */
  cacheDir?: string | null;
  /** Names the default cache folder (default `'skaffa-sidecars'`); Electron apps pass `app.getName()`. */
  appName?: string;
  /** Runs for each new folder after the defaults and the workspace sidecar are registered: add manifests, swap collaborators. */
  configure?: (container: DependencyContainer, root: string) => void;
}

/** What `dispose` reports. */
export interface WorkspaceHostDisposeResult {
  /** Folders whose sidecars had not finished shutting down when the deadline passed. */
  timedOut: string[];
}

/** One workspace sidecar per folder. */
export interface IWorkspaceHost {
  /** The WorkspaceAPI of `root` (made absolute and canonical); created on first use, the sidecar starts lazily. */
  open(root: string): WorkspaceAPI;
  /** The WorkspaceAPI of an open folder, or undefined. */
  get(root: string): WorkspaceAPI | undefined;
  /**
   * A service of `root`'s container, e.g. `resolve(root, TypeScriptAPIToken)` when `configure`
   * called `registerTypeScriptSidecar(c)`: the same instance on every call for the same folder.
   * Undefined when the folder is not open; throws when nothing is registered under `token`.
   */
  resolve<T>(root: string, token: InjectionToken<T>): T | undefined;
  /** The registry serving `root`, for its other sidecars, events and `list()`; undefined when not open. */
  registry(root: string): ISidecarRegistry | undefined;
  /** The open folders. */
  roots(): string[];
  /**
   * Stops `root`'s sidecars (graceful shutdown, bounded by `options.deadlineMs` when given: then
   * SIGKILL); a folder that is not open is a no-op.
   */
  close(root: string, options?: StopOptions): Promise<void>;
  /**
   * Stops every folder's sidecars in parallel, once (later calls return the same promise) and
   * resolves by `deadlineMs` (default 5000) even if one hangs: the deadline also bounds each
   * registry's shutdown, so a sidecar that ignores it is killed then. `open` fails afterwards.
   */
  dispose(options?: { deadlineMs?: number }): Promise<WorkspaceHostDisposeResult>;
}

/** DI token for the host, for apps that resolve their services from a container. */
export const WorkspaceHostToken: InjectionToken<IWorkspaceHost> = Symbol('skaffa.WorkspaceHost');

/** The part of Electron's `app` the quit hook uses (modelled so it runs, and is tested, without Electron). */
export interface QuitHookApp {
  on(event: 'will-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  removeListener(event: 'will-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  exit(exitCode?: number): void;
}
