/**
 * TypeScript shapes of the workspace sidecar's params, results, chunks and events. They are
 * generated from the JSON Schemas in `schema/` (`npm run gen:types` writes `types.generated.ts`),
 * which stay the single source of truth: main validates every call and event against those files
 * with ajv, the Rust tests check real responses against them, and a jest test fails when the
 * generated file is stale. Anything added here may only wrap generated types, never restate a shape.
 */
export * from './types.generated';
