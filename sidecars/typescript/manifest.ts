/**
 * The typescript analysis sidecar's manifest: the Rust binary `skaffa-typescript`, launched on the
 * app's `workspaceRoot`, every method and event with the JSON Schemas in `schema/`, and its feed:
 * the workspace sidecar's `workspace/didChange` events go to `typescript/didChange`, with
 * `typescript/resync` whenever some may have been missed (see docs/typescript-sidecar.md). So the
 * analysis sidecar keeps no OS watches of its own, and the registry, not this file, runs the feed.
 * Every method only reads or rebuilds an index from the files, so all are idempotent.
 */
import { defineSidecar, event, method, type JsonSchema, type LaunchOptions } from '../../registry/manifest';
import componentsParams from './schema/components.params.json';
import componentsResult from './schema/components.result.json';
import didChangeParams from './schema/didChange.params.json';
import didChangeResult from './schema/didChange.result.json';
import didUpdateEvent from './schema/didUpdate.event.json';
import exportsParams from './schema/exports.params.json';
import exportsResult from './schema/exports.result.json';
import importersParams from './schema/importers.params.json';
import importersResult from './schema/importers.result.json';
import importsParams from './schema/imports.params.json';
import importsResult from './schema/imports.result.json';
import outlineParams from './schema/outline.params.json';
import outlineResult from './schema/outline.result.json';
import resyncParams from './schema/resync.params.json';
import resyncResult from './schema/resync.result.json';
import statusParams from './schema/status.params.json';
import statusResult from './schema/status.result.json';
import symbolsParams from './schema/symbols.params.json';
import symbolsPartial from './schema/symbols.partial.json';
import symbolsResult from './schema/symbols.result.json';
import type * as T from './types';

/** Launch options the typescript sidecar reads (the same root as the workspace sidecar's). */
export interface TypeScriptLaunchOptions extends LaunchOptions {
  /** The folder to analyse (required). */
  workspaceRoot?: string;
}

/** Requests that may first wait for the initial index get a long default timeout, as the workspace sidecar's do. */
const INDEXED_TIMEOUT_MS = 120_000;

/** A method that only reads the index: idempotent, so retried once after a crash. */
function readOnly<P, R>(params: JsonSchema, result: JsonSchema, timeoutMs = INDEXED_TIMEOUT_MS) {
  return method<P, R>({ params, result, timeoutMs, idempotent: true });
}

export const typescriptManifest = defineSidecar({
  name: 'typescript',
  description: 'TS/TSX/JS code intelligence: outline, workspace symbols, the import graph both ways, exports and React components (oxc)',
  binary: { name: 'skaffa-typescript' },
  launch: (options: TypeScriptLaunchOptions) => {
    if (!options.workspaceRoot) throw new Error('the typescript sidecar needs launch option "workspaceRoot"');
    return { args: ['--root', options.workspaceRoot] };
  },
  methods: {
    // Status answers at once, even while the first index runs.
    'typescript/status': readOnly<T.StatusParams, T.StatusResult>(statusParams, statusResult, 10_000),
    'typescript/outline': readOnly<T.OutlineParams, T.OutlineResult>(outlineParams, outlineResult),
    // Streams while indexing: chunks of matches among the files parsed so far, then the rest.
    'typescript/symbols': method<T.SymbolsParams, T.SymbolsResult, T.SymbolsPartial>({
      params: symbolsParams,
      result: symbolsResult,
      partial: symbolsPartial,
      timeoutMs: INDEXED_TIMEOUT_MS,
      idempotent: true,
    }),
    'typescript/imports': readOnly<T.ImportsParams, T.ImportsResult>(importsParams, importsResult),
    'typescript/importers': readOnly<T.ImportersParams, T.ImportersResult>(importersParams, importersResult),
    'typescript/exports': readOnly<T.ExportsParams, T.ExportsResult>(exportsParams, exportsResult),
    'typescript/components': readOnly<T.ComponentsParams, T.ComponentsResult>(componentsParams, componentsResult),
    // The feed's two methods, called by the registry only (TypeScriptAPI does not offer them).
    // Applying a batch twice, or resyncing twice, leaves the same index: both are idempotent.
    'typescript/didChange': readOnly<T.DidChangeParams, T.DidChangeResult>(didChangeParams, didChangeResult),
    'typescript/resync': readOnly<T.ResyncParams, T.ResyncResult>(resyncParams, resyncResult),
  },
  events: {
    // Sent after each applied batch (a didChange or a resync that changed something).
    'typescript/didUpdate': event<T.DidUpdateEvent>(didUpdateEvent),
  },
  feeds: [{ from: 'workspace', event: 'workspace/didChange', method: 'typescript/didChange', resync: 'typescript/resync' }],
});

/** Event names the typescript sidecar sends (the keys of the manifest's `events`). */
export const TypeScriptEvents = {
  didUpdate: 'typescript/didUpdate',
} as const satisfies Record<string, keyof NonNullable<(typeof typescriptManifest)['events']>>;
