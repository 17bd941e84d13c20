/**
 * Shared setup of the typescript sidecar's end-to-end tests: temporary TS workspaces, and the
 * wiring exactly as an app does it (issue 17 item 7: `registerSidecarDefaults`,
 * `registerWorkspaceSidecar`, `registerTypeScriptSidecar`, `createSidecarRegistry`, then
 * `c.resolve(TypeScriptAPIToken)`), on the real `skaffa-workspace` and `skaffa-typescript` binaries.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { container } from 'tsyringe';
import { createSidecarRegistry, LoggerToken, NullLogger, registerSidecarDefaults, type ISidecarRegistry } from '../../registry';
import { registerTypeScriptSidecar, TypeScriptAPIToken, type TypeScriptAPI } from '../../sidecars/typescript';
import { registerWorkspaceSidecar, WorkspaceAPIToken, type WorkspaceAPI } from '../../sidecars/workspace';

const roots: string[] = [];

/** A canonical temporary folder holding `files` (path → content); removed by `removeWorkspaces`. */
export function tsWorkspace(files: Record<string, string>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-ts-')));
  roots.push(root);
  for (const [rel, content] of Object.entries(files)) write(root, rel, content);
  return root;
}

export function removeWorkspaces(): void {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
}

/** Writes one file, creating its folders. */
export function write(root: string, rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), content);
}

export interface Opened {
  ts: TypeScriptAPI;
  workspace: WorkspaceAPI;
  registry: ISidecarRegistry;
}

/** The app's wiring for one folder, nothing more (the feed comes with the manifest). */
export function openTypeScript(root: string): Opened {
  const c = container.createChildContainer();
  registerSidecarDefaults(c, { launch: { workspaceRoot: root } });
  c.register(LoggerToken, { useValue: new NullLogger() });
  registerWorkspaceSidecar(c);
  registerTypeScriptSidecar(c);
  const registry = createSidecarRegistry(c);
  return { ts: c.resolve(TypeScriptAPIToken), workspace: c.resolve(WorkspaceAPIToken), registry };
}

/** Polls `read` until `check` holds on its answer, or fails after `timeoutMs` naming `what` and the last answer. */
export async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last answer: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
