/**
 * The workspace sidecar's TypeScript entry point (`skaffa-sidecars/workspace`): its manifest, its
 * wire types and error codes, the WorkspaceAPI contract, `registerWorkspaceSidecar`, which adds it
 * with its implementation to a container, and the WorkspaceHost, one workspace sidecar per folder
 * (with `defaultCacheDir`, where it keeps index snapshots unless told otherwise).
 */
// tsyringe needs the Reflect polyfill before it loads; an app may import this entry first.
import 'reflect-metadata';

export * from './types';
export * from './manifest';
export * from './errors';
export * from './api/contract';
export { registerWorkspaceSidecar } from './register';
export * from './host/contract';
export { WorkspaceHost, installQuitHook } from './host/workspace-host';
export { defaultCacheDir, type CacheDirInputs } from './host/cache-dir';
