/**
 * The workspace sidecar's TypeScript entry point (`skaffa-sidecars/workspace`): its manifest, its
 * wire types, the WorkspaceAPI contract and implementation, `registerWorkspaceSidecar`, which adds
 * all of it to a container, and the WorkspaceHost, one workspace sidecar per folder.
 */
export * from './types';
export * from './manifest';
export * from './errors';
export * from './api/contract';
export { SidecarWorkspaceAPI } from './api/workspace-api';
export { registerWorkspaceSidecar } from './register';
export * from './host/contract';
export { WorkspaceHost, installQuitHook } from './host/workspace-host';
