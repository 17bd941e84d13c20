/**
 * The framework's public API: import everything from here (`skaffa-sidecars`). It re-exports the
 * core (errors, events, protocol, supervisor contract) and the registry with its DI tokens.
 */
import 'reflect-metadata';

export * from '../core';
export * from './manifest';
export * from './env';
export * from './contract';
export * from './container';
export * from './binary/contract';
export { DefaultBinaryResolver } from './binary/resolver';
export * from './binary/platform-package';
export * from './validation/contract';
export { AjvSchemaValidator } from './validation/ajv-validator';
export { SidecarRegistry } from './registry';
export * from './launch/contract';
export * from './remote';
