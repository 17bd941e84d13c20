/**
 * Wiring: registers the default implementation of every collaborator (spawner, binary resolver,
 * schema validator, clock, logger, launch options) in a tsyringe container, and builds a registry
 * from it. Anything registered again after `registerSidecarDefaults` wins, which is how apps and
 * tests swap a collaborator; tests use `container.createChildContainer()`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lifecycle, type DependencyContainer } from 'tsyringe';
import { ClockToken, SystemClock } from '../core/clock';
import { ConsoleLogger, LoggerToken } from '../core/logger';
import { ProcessSpawnerToken } from '../core/process/contract';
import { NodeProcessSpawner } from '../core/process/node-spawner';
import type { SupervisorOptions } from '../core/supervisor/contract';
import { BinaryResolverToken, ResolveContextToken, type ResolveContext } from './binary/contract';
import { DefaultBinaryResolver } from './binary/resolver';
import { SidecarRegistryToken, type ISidecarRegistry } from './contract';
import { LaunchOptionsToken, SidecarManifestToken, SupervisorDefaultsToken, type LaunchOptions, type SidecarManifest } from './manifest';
import { SidecarRegistry } from './registry';
import { AjvSchemaValidator } from './validation/ajv-validator';
import { SchemaValidatorToken } from './validation/contract';

/** What an app tells the framework about itself. Everything is optional. */
export interface SidecarDefaults {
  launch?: LaunchOptions;
  /** Electron: pass `{ isPackaged: app.isPackaged, resourcesPath: process.resourcesPath }`. */
  resolve?: Partial<ResolveContext>;
  supervisor?: Partial<SupervisorOptions>;
}

/** Registers the default collaborators in `container`. */
export function registerSidecarDefaults(container: DependencyContainer, defaults: SidecarDefaults = {}): DependencyContainer {
  const resolveContext: ResolveContext = {
    env: process.env,
    platform: process.platform,
    arch: process.arch,
    isPackaged: false,
    // An installed copy (under node_modules) has no dev build of its own to look for.
    repoRoot: __dirname.split(/[\\/]/).includes('node_modules') ? undefined : findRepoRoot(__dirname),
    resourcesPath: (process as { resourcesPath?: string }).resourcesPath,
    ...defaults.resolve,
  };
  container.register(ResolveContextToken, { useValue: resolveContext });
  container.register(LaunchOptionsToken, { useValue: defaults.launch ?? {} });
  container.register(SupervisorDefaultsToken, { useValue: defaults.supervisor ?? {} });
  container.register(ClockToken, { useValue: new SystemClock() });
  container.register(LoggerToken, { useValue: new ConsoleLogger('warn') });
  container.register(ProcessSpawnerToken, { useClass: NodeProcessSpawner });
  container.register(SchemaValidatorToken, { useClass: AjvSchemaValidator });
  container.register(BinaryResolverToken, { useClass: DefaultBinaryResolver });
  // One registry per container: everything resolved from it (WorkspaceAPI, an app's services) shares it.
  container.register(SidecarRegistryToken, { useClass: SidecarRegistry }, { lifecycle: Lifecycle.ContainerScoped });
  return container;
}

/** Registers one sidecar manifest (the extension point every sidecar uses). */
export function registerSidecar(container: DependencyContainer, manifest: SidecarManifest<any>): void {
  container.register(SidecarManifestToken, { useValue: manifest });
}

/** Builds a registry from `container`, with a clear error when no sidecar was registered. */
export function createSidecarRegistry(container: DependencyContainer): ISidecarRegistry {
  if (!container.isRegistered(SidecarManifestToken, true)) {
    throw new Error('no sidecar manifest is registered; call registerSidecar(container, manifest) first');
  }
  return container.resolve<ISidecarRegistry>(SidecarRegistryToken);
}

/** The nearest folder at or above `from` whose Cargo.toml declares a `[workspace]`. */
export function findRepoRoot(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    try {
      if (/^\[workspace\]/m.test(fs.readFileSync(path.join(dir, 'Cargo.toml'), 'utf8'))) return dir;
    } catch {
      /* no Cargo.toml here */
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}
