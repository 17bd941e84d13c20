/**
 * Opening the workspace sidecar exactly as an app would: a child container, the defaults, the
 * workspace manifest, the registry and the WorkspaceAPI from the package's public entry points.
 * The bench pins the `profiling` build (release code with symbols, so perf can name frames)
 * through SCAFFA_SIDECAR_PATH; the resolver would otherwise pick a debug or stripped release build.
 */
import 'reflect-metadata';
import * as path from 'node:path';
import { container } from 'tsyringe';
import { createSidecarRegistry, registerSidecarDefaults, type ISidecarRegistry } from 'skaffa-sidecars';
import { registerWorkspaceSidecar, WorkspaceAPIToken, type WorkspaceAPI } from 'skaffa-sidecars/workspace';
import { repoRoot } from './proc';
import { nowMs, sleep } from './stats';

export const releaseBinary = path.join(repoRoot, 'target', 'profiling', 'skaffa-workspace');
/** The reaper every local sidecar runs under (docs/containment.md), from the same profile. */
export const reaperBinary = path.join(repoRoot, 'target', 'profiling', 'skaffa-reaper');

export interface Session {
  registry: ISidecarRegistry;
  workspace: WorkspaceAPI;
  pid(): number | undefined;
  close(): Promise<void>;
}

/**
 * Builds (does not start) a session on `root`; `noIgnore` indexes what .gitignore hides too,
 * `contain: false` starts the sidecar directly instead of under skaffa-reaper (as an app does by default),
 * `cacheDir` gives it a cache folder for its index snapshot (warm starts; none otherwise).
 */
export function openSession(root: string, opts: { noIgnore?: boolean; contain?: boolean; cacheDir?: string } = {}): Session {
  process.env.SCAFFA_SIDECAR_PATH = releaseBinary;
  process.env.SKAFFA_SIDECAR_REAPER_PATH = reaperBinary;
  const c = container.createChildContainer();
  registerSidecarDefaults(c, {
    launch: { workspaceRoot: root, workspaceNoIgnore: opts.noIgnore, contain: opts.contain, workspaceCacheDir: opts.cacheDir } as Record<string, unknown>,
  });
  registerWorkspaceSidecar(c);
  const registry = createSidecarRegistry(c);
  const workspace = c.resolve(WorkspaceAPIToken);
  return {
    registry,
    workspace,
    pid: () => registry.supervisor('workspace').pid,
    close: () => registry.dispose(),
  };
}

/**
 * Starts the sidecar and resolves when its first index is ready, with the time from spawn.
 * `findFiles` with `waitForIndex` waits for the first index inside the sidecar, so no polling
 * interval is added.
 */
export async function startAndIndex(s: Session): Promise<{ ms: number; files: number }> {
  const t = nowMs();
  await s.registry.start(['workspace']);
  await s.workspace.findFiles('', { limit: 1, waitForIndex: true });
  const ms = nowMs() - t;
  const st = await s.workspace.status();
  return { ms, files: st.files };
}

/** Polls status until the first scan's sizes and mtimes are filled in; resolves with ms since `since`. */
export async function waitMetadata(s: Session, since: number, timeoutMs = 300_000): Promise<number> {
  for (;;) {
    const st = await s.workspace.status();
    if (st.metadata === 'complete') return nowMs() - since;
    if (nowMs() - since > timeoutMs) throw new Error('sidecar never completed its metadata');
    await sleep(2);
  }
}

/** Polls status until the watcher is live; resolves with ms since `since`. */
export async function waitWatching(s: Session, since: number, timeoutMs = 120_000): Promise<number> {
  for (;;) {
    const st = await s.workspace.status();
    if (st.state === 'ready' && st.watching) return nowMs() - since;
    if (nowMs() - since > timeoutMs) throw new Error('sidecar never reported watching');
    await sleep(5);
  }
}
