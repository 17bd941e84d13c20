/**
 * `registerTypeScriptSidecar`: adds the typescript manifest and the TypeScriptAPI to a container.
 * The feed from the workspace sidecar is declared in the manifest, so this is all an app wires;
 * the workspace sidecar must be registered in the same container (`registerWorkspaceSidecar`).
 */
import { Lifecycle, type DependencyContainer } from 'tsyringe';
import { registerSidecar } from '../../registry/container';
import { TypeScriptAPIToken } from './api/contract';
import { SidecarTypeScriptAPI } from './api/typescript-api';
import { typescriptManifest } from './manifest';

/** Registers the typescript manifest and the TypeScriptAPI (needs launch option `workspaceRoot`). Starts nothing. */
export function registerTypeScriptSidecar(container: DependencyContainer): void {
  registerSidecar(container, typescriptManifest);
  container.register(TypeScriptAPIToken, { useClass: SidecarTypeScriptAPI }, { lifecycle: Lifecycle.ContainerScoped });
}
