/**
 * PLACEHOLDER for the CLI branch (tscli) only: the entry point `skaffa-sidecars/typescript` is
 * written on the tsmain branch (manifest.ts, api/typescript-api.ts, register.ts, index.ts). This
 * file exists so the CLI compiles and its end-to-end tests run before that lands; at the merge,
 * take tsmain's index.ts and drop this one whole. It exports the same names the issue fixes
 * (`typescriptManifest`, `registerTypeScriptSidecar`, `TypeScriptAPIToken` and the contract) with
 * the least wiring that answers: no feed, so it indexes once at start, as `--root` alone does.
 */
import 'reflect-metadata';
import { inject, injectable, Lifecycle, type DependencyContainer } from 'tsyringe';
import type { ResultStream } from '../../core/result-stream';
import { registerSidecar } from '../../registry/container';
import { SidecarRegistryToken, type ClientOf, type ISidecarRegistry } from '../../registry/contract';
import { defineSidecar, method, type JsonSchema, type LaunchOptions } from '../../registry/manifest';
import { TypeScriptAPIToken, type ImportersOptions, type SymbolsOptions, type TypeScriptAPI, type TypeScriptCallOptions } from './api/contract';
import componentsParams from './schema/components.params.json';
import componentsResult from './schema/components.result.json';
import exportsParams from './schema/exports.params.json';
import exportsResult from './schema/exports.result.json';
import importersParams from './schema/importers.params.json';
import importersResult from './schema/importers.result.json';
import importsParams from './schema/imports.params.json';
import importsResult from './schema/imports.result.json';
import outlineParams from './schema/outline.params.json';
import outlineResult from './schema/outline.result.json';
import statusParams from './schema/status.params.json';
import statusResult from './schema/status.result.json';
import symbolsParams from './schema/symbols.params.json';
import symbolsPartial from './schema/symbols.partial.json';
import symbolsResult from './schema/symbols.result.json';
import type * as T from './types.generated';

export type * from './types.generated';
export * from './api/contract';

function readOnly<P, R>(params: JsonSchema, result: JsonSchema) {
  return method<P, R>({ params, result, timeoutMs: 120_000, idempotent: true });
}

export const typescriptManifest = defineSidecar({
  name: 'typescript',
  description: 'TS/TSX/JS code facts: outline, workspace symbols, the import graph, exports, React components',
  binary: { name: 'skaffa-typescript' },
  launch: (options: LaunchOptions & { workspaceRoot?: string }) => {
    if (!options.workspaceRoot) throw new Error('the typescript sidecar needs launch option "workspaceRoot"');
    return { args: ['--root', options.workspaceRoot] };
  },
  methods: {
    'typescript/status': readOnly<T.StatusParams, T.StatusResult>(statusParams, statusResult),
    'typescript/outline': readOnly<T.OutlineParams, T.OutlineResult>(outlineParams, outlineResult),
    'typescript/symbols': method<T.SymbolsParams, T.SymbolsResult, T.SymbolsPartial>({
      params: symbolsParams,
      result: symbolsResult,
      partial: symbolsPartial,
      timeoutMs: 120_000,
      idempotent: true,
    }),
    'typescript/imports': readOnly<T.ImportsParams, T.ImportsResult>(importsParams, importsResult),
    'typescript/importers': readOnly<T.ImportersParams, T.ImportersResult>(importersParams, importersResult),
    'typescript/exports': readOnly<T.ExportsParams, T.ExportsResult>(exportsParams, exportsResult),
    'typescript/components': readOnly<T.ComponentsParams, T.ComponentsResult>(componentsParams, componentsResult),
  },
});

/** Each call is the method of the same name; call options are split from the params. */
@injectable()
class PlaceholderTypeScriptAPI implements TypeScriptAPI {
  private readonly client: ClientOf<typeof typescriptManifest>;

  constructor(@inject(SidecarRegistryToken) registry: ISidecarRegistry) {
    this.client = registry.client(typescriptManifest);
  }

  status(o: TypeScriptCallOptions = {}): Promise<T.StatusResult> {
    return this.client.call('typescript/status', {}, o);
  }
  outline(path: string, o: TypeScriptCallOptions = {}): Promise<T.OutlineResult> {
    return this.client.call('typescript/outline', { path }, o);
  }
  symbols(query: string, { signal, timeoutMs, ...rest }: TypeScriptCallOptions & SymbolsOptions = {}): Promise<T.SymbolsResult> {
    return this.client.call('typescript/symbols', { query, ...rest }, { signal, timeoutMs });
  }
  symbolsStream(query: string, { signal, timeoutMs, ...rest }: TypeScriptCallOptions & SymbolsOptions = {}): ResultStream<T.SymbolsPartial, T.SymbolsResult> {
    return this.client.stream('typescript/symbols', { query, ...rest }, { signal, timeoutMs });
  }
  imports(path: string, o: TypeScriptCallOptions = {}): Promise<T.ImportsResult> {
    return this.client.call('typescript/imports', { path }, o);
  }
  importers(path: string, { signal, timeoutMs, ...rest }: TypeScriptCallOptions & ImportersOptions = {}): Promise<T.ImportersResult> {
    return this.client.call('typescript/importers', { path, ...rest }, { signal, timeoutMs });
  }
  exports(path: string, o: TypeScriptCallOptions = {}): Promise<T.ExportsResult> {
    return this.client.call('typescript/exports', { path }, o);
  }
  components({ signal, timeoutMs, ...rest }: TypeScriptCallOptions & T.ComponentsParams = {}): Promise<T.ComponentsResult> {
    return this.client.call('typescript/components', rest, { signal, timeoutMs });
  }
}

/** Registers the typescript manifest and the TypeScriptAPI (needs launch option `workspaceRoot`). */
export function registerTypeScriptSidecar(container: DependencyContainer): void {
  registerSidecar(container, typescriptManifest);
  container.register(TypeScriptAPIToken, { useClass: PlaceholderTypeScriptAPI }, { lifecycle: Lifecycle.ContainerScoped });
}
