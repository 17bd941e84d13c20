/**
 * `registerWorkspaceSidecar`: adds the workspace manifest and the WorkspaceAPI to a container.
 * Its own file so the WorkspaceHost and the package entry point can both use it without a cycle.
 */
import { Lifecycle, type DependencyContainer } from 'tsyringe';
import { registerSidecar } from '../../registry/container';
import { WorkspaceAPIToken } from './api/contract';
import { SidecarWorkspaceAPI } from './api/workspace-api';
import { workspaceManifest } from './manifest';

/** Registers the workspace manifest and the WorkspaceAPI (needs launch option `workspaceRoot`). */
export function registerWorkspaceSidecar(container: DependencyContainer): void {
  registerSidecar(container, workspaceManifest);
  container.register(WorkspaceAPIToken, { useClass: SidecarWorkspaceAPI }, { lifecycle: Lifecycle.ContainerScoped });
}
