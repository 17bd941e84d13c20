/**
 * The framework's public API (`skaffa-sidecars`): contracts only. The core's protocol types,
 * error codes, errors and seams; manifests (`defineSidecar`, `method`); the registry's interface,
 * DI tokens and factory (`registerSidecarDefaults`, `registerSidecar`, `createSidecarRegistry`);
 * binary resolution and packaging helpers; remote launching. Implementations live behind the DI
 * tokens and are exported, unstable, from `skaffa-sidecars/internal` only. test/api.test.ts
 * compares these names with api/*.api.txt, so a new export is a reviewed change.
 */
import 'reflect-metadata';

export * from '../core';
export * from './manifest';
export { MINIMAL_ENV, type EnvInherit, type EnvPolicy } from './env';
export * from './contract';
export * from './container';
export * from './binary/contract';
export * from './binary/platform-package';
export { SchemaValidatorToken, type CompiledValidator, type ISchemaValidator, type SchemaIssue } from './validation/contract';
export * from './launch/contract';
export * from './remote';
