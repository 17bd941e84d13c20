/**
 * The `TypeScriptAPI` implementation: a thin typed layer over the registry's client for the
 * typescript sidecar, each method one call (the options split by `splitCallOptions`). The first
 * call launches the sidecar, and the registry then starts the workspace sidecar and the feed that
 * keeps the analysis live; nothing here knows about the feed.
 */
import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import type { ResultStream } from '../../../core/result-stream';
import { SidecarRegistryToken, type ClientOf, type ISidecarRegistry } from '../../../registry/contract';
import { splitCallOptions } from '../../../registry/call-options';
import { typescriptManifest } from '../manifest';
import type * as T from '../types';
import type { ImportersOptions, SymbolsOptions, TypeScriptAPI, TypeScriptCallOptions } from './contract';

@injectable()
export class SidecarTypeScriptAPI implements TypeScriptAPI {
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

  symbols(query: string, o: TypeScriptCallOptions & SymbolsOptions = {}): Promise<T.SymbolsResult> {
    const [rest, call] = splitCallOptions(o);
    return this.client.call('typescript/symbols', { query, ...rest }, call);
  }

  symbolsStream(query: string, o: TypeScriptCallOptions & SymbolsOptions = {}): ResultStream<T.SymbolsPartial, T.SymbolsResult> {
    const [rest, call] = splitCallOptions(o);
    return this.client.stream('typescript/symbols', { query, ...rest }, call);
  }

  imports(path: string, o: TypeScriptCallOptions = {}): Promise<T.ImportsResult> {
    return this.client.call('typescript/imports', { path }, o);
  }

  importers(path: string, o: TypeScriptCallOptions & ImportersOptions = {}): Promise<T.ImportersResult> {
    const [rest, call] = splitCallOptions(o);
    return this.client.call('typescript/importers', { path, ...rest }, call);
  }

  exports(path: string, o: TypeScriptCallOptions = {}): Promise<T.ExportsResult> {
    return this.client.call('typescript/exports', { path }, o);
  }

  components(o: TypeScriptCallOptions & T.ComponentsParams = {}): Promise<T.ComponentsResult> {
    const [rest, call] = splitCallOptions(o);
    return this.client.call('typescript/components', rest, call);
  }
}
