/**
 * How an Electron main process wires the registry: Electron's `app.isPackaged` and
 * `process.resourcesPath` go into the resolve context, so the same code finds sidecars under
 * `target/` in development and under the app's resources when packaged. Not compiled with the
 * project (Electron cannot be installed in this repository's CI); it type-checks against the
 * public API when copied into an Electron app.
 */
import 'reflect-metadata';
import { app } from 'electron';
import { container } from 'tsyringe';
import { createSidecarRegistry, registerSidecarDefaults } from 'skaffa-sidecars';
import { registerWorkspaceSidecar, WorkspaceAPIToken } from 'skaffa-sidecars/workspace';

export async function startSidecars(workspaceRoot: string) {
  const c = container.createChildContainer();
  registerSidecarDefaults(c, {
    launch: { workspaceRoot },
    resolve: { isPackaged: app.isPackaged, resourcesPath: process.resourcesPath },
  });
  registerWorkspaceSidecar(c);
  const registry = createSidecarRegistry(c);
  // Stop every sidecar (and anything it started) before the app quits.
  app.on('will-quit', (event) => {
    event.preventDefault();
    registry.dispose().finally(() => app.exit(0));
  });
  return { registry, workspace: c.resolve(WorkspaceAPIToken) };
}
