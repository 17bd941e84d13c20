/**
 * The typescript sidecar's TypeScript entry point (`skaffa-sidecars/typescript`): its manifest,
 * its wire types and error codes, the TypeScriptAPI contract and `registerTypeScriptSidecar`,
 * which adds it with its implementation to a container.
 */
// tsyringe needs the Reflect polyfill before it loads; an app may import this entry first.
import 'reflect-metadata';

export * from './types';
export * from './manifest';
export * from './errors';
export * from './api/contract';
export { registerTypeScriptSidecar } from './register';
