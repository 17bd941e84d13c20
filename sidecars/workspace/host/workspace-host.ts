/**
 * The default `IWorkspaceHost`: a tsyringe child container per folder with the framework
 * defaults, the workspace sidecar and the app's own `configure` step, so every folder has its own
 * registry and sidecar processes and nothing is shared by accident. Also `installQuitHook`, the
 * one Electron quit handler an app needs: it holds the quit until every sidecar is down or the
 * deadline passed, then exits.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer, type InjectionToken } from 'tsyringe';
import type { Disposable } from '../../../core/events';
import type { StopOptions } from '../../../core/supervisor/contract';
import { createSidecarRegistry, registerSidecarDefaults } from '../../../registry/container';
import type { ISidecarRegistry } from '../../../registry/contract';
import { WorkspaceAPIToken, type WorkspaceAPI } from '../api/contract';
import type { WorkspaceLaunchOptions } from '../manifest';
import { registerWorkspaceSidecar } from '../register';
import { defaultCacheDir } from './cache-dir';
import type { IWorkspaceHost, QuitHookApp, WorkspaceHostDisposeResult, WorkspaceHostOptions } from './contract';

interface Entry {
  container: DependencyContainer;
  registry: ISidecarRegistry;
  api: WorkspaceAPI;
}

export class WorkspaceHost implements IWorkspaceHost {
  private readonly open_ = new Map<string, Entry>();
  private disposing: Promise<WorkspaceHostDisposeResult> | undefined;

  /** The `cacheDir` option, or this machine's cache folder for the app when it was left out (undefined: none known). */
  private readonly cacheDir: string | null | undefined;

  constructor(private readonly options: WorkspaceHostOptions = {}) {
    this.cacheDir = options.cacheDir === undefined ? defaultCacheDirOfThisProcess(options.appName ?? 'skaffa-sidecars') : options.cacheDir;
  }

  open(root: string): WorkspaceAPI {
    if (this.disposing) throw new Error('this WorkspaceHost is disposed; create a new one to open folders');
    const key = canonical(root);
    const existing = this.open_.get(key);
    if (existing) return existing.api;
    const c = (this.options.container ?? rootContainer).createChildContainer();
    const defaults = this.options.defaults ?? {};
    const launch: WorkspaceLaunchOptions = { ...defaults.launch, workspaceRoot: key };
    const cacheDir = launch.workspaceCacheDir ?? this.cacheDirFor(launch);
    if (cacheDir) launch.workspaceCacheDir = cacheDir;
    registerSidecarDefaults(c, { ...defaults, launch });
    registerWorkspaceSidecar(c);
    this.options.configure?.(c, key);
    const registry = createSidecarRegistry(c);
    const entry = { container: c, registry, api: c.resolve(WorkspaceAPIToken) };
    this.open_.set(key, entry);
    return entry.api;
  }

  /**
   * The snapshot folder when the app's launch options name none: `cacheDir` as given, or by
   * default this machine's cache folder, unless the sidecar runs elsewhere (a transport), where
   * that path means nothing; an app that wants a far-side cache passes `cacheDir` itself.
   */
  private cacheDirFor(launch: WorkspaceLaunchOptions): string | undefined {
    if (this.options.cacheDir === undefined && launch.transport) return undefined;
    return this.cacheDir ?? undefined;
  }

  get(root: string): WorkspaceAPI | undefined {
    return this.open_.get(canonical(root))?.api;
  }

  resolve<T>(root: string, token: InjectionToken<T>): T | undefined {
    return this.open_.get(canonical(root))?.container.resolve(token);
  }

  registry(root: string): ISidecarRegistry | undefined {
    return this.open_.get(canonical(root))?.registry;
  }

  roots(): string[] {
    return [...this.open_.keys()];
  }

  async close(root: string, options: StopOptions = {}): Promise<void> {
    const key = canonical(root);
    const entry = this.open_.get(key);
    if (!entry) return;
    this.open_.delete(key);
    await entry.registry.dispose(options);
  }

  dispose(options: { deadlineMs?: number } = {}): Promise<WorkspaceHostDisposeResult> {
    this.disposing ??= this.disposeAll(options.deadlineMs ?? 5_000);
    return this.disposing;
  }

  private async disposeAll(deadlineMs: number): Promise<WorkspaceHostDisposeResult> {
    const pending = new Set(this.open_.keys());
    // Each registry gets the deadline too, so a sidecar that ignores $/shutdown and SIGTERM is
    // killed when it comes instead of being left to finish its graceful steps after we returned.
    const all = [...this.open_].map(([root, { registry }]) =>
      registry.dispose({ deadlineMs }).then(
        () => void pending.delete(root),
        () => void pending.delete(root), // a failed shutdown still ended: the registry killed what it could
      ),
    );
    this.open_.clear();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([Promise.all(all), deadline]);
    clearTimeout(timer);
    return { timedOut: [...pending] };
  }
}

/**
 * Disposes `host` when Electron is about to quit, once: the first `will-quit` is held with
 * `event.preventDefault()` until every sidecar is down (or `deadlineMs` passed), then
 * `app.exit(exitCode)` ends the app without emitting the quit events again. A second quit request
 * while that runs is held too. `will-quit` rather than `before-quit`: windows are closed by then,
 * so no window still uses a workspace that is shutting down. Dispose the result to unhook.
 */
export function installQuitHook(
  app: QuitHookApp,
  host: Pick<IWorkspaceHost, 'dispose'>,
  options: { deadlineMs?: number; exitCode?: number } = {},
): Disposable {
  let started = false;
  const onWillQuit = (event: { preventDefault(): void }) => {
    event.preventDefault();
    if (started) return;
    started = true;
    host
      .dispose({ deadlineMs: options.deadlineMs })
      .catch(() => undefined)
      .finally(() => app.exit(options.exitCode ?? 0));
  };
  app.on('will-quit', onWillQuit);
  return { dispose: () => void app.removeListener('will-quit', onWillQuit) };
}

/** `defaultCacheDir` for this process; `os.homedir()` throws when the user has no home entry at all. */
function defaultCacheDirOfThisProcess(appName: string): string | undefined {
  let homedir: string | undefined;
  try {
    homedir = os.homedir();
  } catch {
    homedir = undefined;
  }
  return defaultCacheDir({ platform: process.platform, env: process.env, homedir, appName });
}

/** Absolute and, when the folder exists, canonical, so `./a`, `a/` and a symlink to it are one folder. */
function canonical(root: string): string {
  const abs = path.resolve(root);
  try {
    return fs.realpathSync.native(abs);
  } catch {
    return abs;
  }
}
