/**
 * The workspace sidecar's TypeScript entry point: its manifest, its wire types, the WorkspaceAPI
 * contract and implementation, and `registerWorkspaceSidecar`, which adds all of it to a container.
 */
import { Lifecycle, type DependencyContainer } from 'tsyringe';
import { registerSidecar } from '../../registry/container';
import { WorkspaceAPIToken } from './api/contract';
import { SidecarWorkspaceAPI } from './api/workspace-api';
import { workspaceManifest } from './manifest';

export * from './types';
export * from './manifest';
export * from './api/contract';
export { SidecarWorkspaceAPI } from './api/workspace-api';

/** Registers the workspace manifest and the WorkspaceAPI (needs launch option `workspaceRoot`). */
export function registerWorkspaceSidecar(container: DependencyContainer): void {
  registerSidecar(container, workspaceManifest);
  container.register(WorkspaceAPIToken, { useClass: SidecarWorkspaceAPI }, { lifecycle: Lifecycle.ContainerScoped });
}
