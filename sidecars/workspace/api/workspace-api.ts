/**
 * The `WorkspaceAPI` implementation: a thin typed layer over the registry's client for the
 * workspace sidecar. Its one piece of logic is `watch`: many listeners share a single subscription
 * to `workspace/didChange`, each filtered by its own globs in main, and the subscription ends when
 * the last listener is disposed.
 */
import 'reflect-metadata';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { inject, injectable } from 'tsyringe';
import { toDisposable, type Disposable } from '../../../core/events';
import { SidecarRegistryToken, type ClientOf, type ISidecarRegistry } from '../../../registry/contract';
import { LaunchOptionsToken } from '../../../registry/manifest';
import { splitCallOptions } from '../../../registry/call-options';
import { workspaceManifest, WorkspaceEvents, type WorkspaceLaunchOptions } from '../manifest';
import type * as T from '../types';
import type { ResultStream } from '../../../core/result-stream';
import type { FindFilesOptions, WorkspaceAPI, WorkspaceCallOptions, WorkspaceChangeEvent, WorkspaceChunk } from './contract';

type Listener = { matches: (p: string) => boolean; fn: (e: WorkspaceChangeEvent) => void };

@injectable()
export class SidecarWorkspaceAPI implements WorkspaceAPI {
  private readonly client: ClientOf<typeof workspaceManifest>;
  private readonly root: string;
  private readonly listeners = new Set<Listener>();
  private subscription?: Disposable;

  constructor(
    @inject(SidecarRegistryToken) private readonly registry: ISidecarRegistry,
    @inject(LaunchOptionsToken) options: WorkspaceLaunchOptions,
  ) {
    if (!options.workspaceRoot) throw new Error('WorkspaceAPI needs launch option "workspaceRoot"');
    this.root = path.resolve(options.workspaceRoot);
    this.client = registry.client(workspaceManifest);
  }

  getRoot(): string {
    return this.root;
  }

  status(o: WorkspaceCallOptions = {}): Promise<T.StatusResult> {
    return this.client.call('workspace/status', {}, o);
  }

  readFile(p: string, o: WorkspaceCallOptions & { encoding?: 'utf8' | 'base64'; maxBytes?: number } = {}): Promise<T.ReadFileResult> {
    const [rest, call] = splitCallOptions(o);
    return this.client.call('workspace/readFile', { path: p, ...rest }, call);
  }

  stat(p: string, o: WorkspaceCallOptions & { hash?: boolean } = {}): Promise<T.StatResult> {
    const [rest, call] = splitCallOptions(o);
    return this.client.call('workspace/stat', { path: p, ...rest }, call);
  }

  hashes(paths: string[], o: WorkspaceCallOptions = {}): Promise<T.HashesResult> {
    return this.client.call('workspace/hashes', { paths }, o);
  }

  hashesStream(paths: string[], o: WorkspaceCallOptions = {}): ResultStream<WorkspaceChunk<'workspace/hashes'>, T.HashesResult> {
    return this.client.stream('workspace/hashes', { paths }, o);
  }

  listDir(p: string, o: WorkspaceCallOptions = {}): Promise<T.ListDirResult> {
    return this.client.call('workspace/listDir', { path: p }, o);
  }

  findFiles(query: string, o: WorkspaceCallOptions & FindFilesOptions = {}): Promise<T.FindFilesResult> {
    const [rest, call] = splitCallOptions(o);
    return this.client.call('workspace/findFiles', { query, ...rest }, call);
  }

  glob(include: string | string[], o: WorkspaceCallOptions & Omit<T.GlobParams, 'include'> = {}): Promise<T.GlobResult> {
    const [rest, call] = splitCallOptions(o);
    return this.client.call('workspace/glob', { include: toArray(include), ...rest }, call);
  }

  search(query: string, o: WorkspaceCallOptions & Omit<T.SearchParams, 'query'> = {}): Promise<T.SearchResult> {
    const [rest, call] = splitCallOptions(o);
    return this.client.call('workspace/search', { query, ...rest }, call);
  }

  searchStream(
    query: string,
    o: WorkspaceCallOptions & Omit<T.SearchParams, 'query'> = {},
  ): ResultStream<WorkspaceChunk<'workspace/search'>, T.SearchResult> {
    const [rest, call] = splitCallOptions(o);
    return this.client.stream('workspace/search', { query, ...rest }, call);
  }

  findFilesStream(query: string, o: WorkspaceCallOptions & FindFilesOptions = {}): ResultStream<WorkspaceChunk<'workspace/findFiles'>, T.FindFilesResult> {
    const [rest, call] = splitCallOptions(o);
    return this.client.stream('workspace/findFiles', { query, ...rest }, call);
  }

  watch(glob: string | string[], fn: (event: WorkspaceChangeEvent) => void): Disposable {
    const listener: Listener = { matches: picomatch(toArray(glob), { dot: true }), fn };
    this.listeners.add(listener);
    if (!this.subscription) {
      this.subscription = this.client.onEvent(WorkspaceEvents.didChange, (data) => this.dispatch(data));
      // Events only flow from a running sidecar; start it so the watch is live without a call first.
      this.registry.start([workspaceManifest.name]).catch(() => undefined);
    }
    return toDisposable(() => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.subscription?.dispose();
        this.subscription = undefined;
      }
    });
  }

  private dispatch(event: T.DidChangeEvent): void {
    for (const l of [...this.listeners]) {
      const changes = event.changes.filter((c) => l.matches(c.path));
      if (changes.length > 0 || event.rescan) l.fn({ generation: event.generation, changes, rescan: event.rescan === true });
    }
  }
}

function toArray(v: string | string[]): string[] {
  return Array.isArray(v) ? v : [v];
}
