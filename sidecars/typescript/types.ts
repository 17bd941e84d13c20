/**
 * TypeScript shapes of the typescript sidecar's params, results, chunks and events, generated from
 * the JSON Schemas in `schema/` (`npm run gen:types` writes `types.generated.ts`). The schemas stay
 * the single source of truth, as for the workspace sidecar: anything added here may only wrap
 * generated types, never restate a shape.
 */
export * from './types.generated';
