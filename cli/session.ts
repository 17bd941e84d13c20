/**
 * A CLI session: checks the folder, builds a tsyringe child container with the framework defaults
 * and the CLI's sidecars, creates the registry, the WorkspaceAPI and the TypeScriptAPI, and
 * wires `--trace`, `--verbose` and `--remote` (a `RemoteTransport` as launch option). Everything
 * goes through the public API (`registry/index.ts`, `sidecars/workspace` and
 * `sidecars/typescript`), exactly as an Electron main process would use it. `dispose()` shuts every sidecar down gracefully and then closes the trace file, so
 * the shutdown handshake is traced too.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { container } from 'tsyringe';
import { ConsoleLogger, createSidecarRegistry, LoggerToken, registerSidecarDefaults, RemoteTransport, type Disposable, type ISidecarRegistry, type SupervisorEvents } from 'skaffa-sidecars';
import { TypeScriptAPIToken, type TypeScriptAPI } from 'skaffa-sidecars/typescript';
import { WorkspaceAPIToken, type WorkspaceAPI } from 'skaffa-sidecars/workspace';
import { UsageError } from './errors';
import { registerCliSidecars } from './sidecars';
import { recordTrace, showSidecarStderr } from './trace';

/** Options every command shares (the program-level flags). */
export interface GlobalOptions {
  /** Folder to work on; relative to the current directory. */
  root: string;
  json: boolean;
  /** File to record the protocol trace to. */
  trace?: string;
  verbose: boolean;
  /** A transport prefix (`ssh -T dev@box --`): the sidecars run there and `root` is a folder there. */
  remote?: string;
  /** Remote folder for provisioned binaries (default `~/.skaffa-sidecars`). */
  remoteDir?: string;
}

/** What a command works with. */
export interface Session {
  /** Absolute, canonical path of the workspace folder. */
  readonly root: string;
  readonly registry: ISidecarRegistry;
  readonly workspace: WorkspaceAPI;
  /** Code facts of the folder's TS/JS files; its sidecar starts only when a command asks. */
  readonly typescript: TypeScriptAPI;
  /** The latest crash of each sidecar in this session, for error messages that need its stderr. */
  readonly crashes: ReadonlyMap<string, SupervisorEvents['crash']>;
  /** Shuts all sidecars down (idempotent) and closes the trace file. */
  dispose(): Promise<void>;
}

/**
 * Opens a session on `options.root`. Throws a `UsageError` (exit 2) when the folder does not
 * exist, before anything is spawned. Sidecars start lazily on the first call.
 */
export function openSession(options: GlobalOptions, writeStderr: (line: string) => void): Session {
  // A remote folder cannot be checked from here; the sidecar reports it if it does not exist.
  const root = options.remote ? options.root : checkFolder(options.root);
  const transport = options.remote ? remoteTransport(options.remote, options.remoteDir, options.verbose, writeStderr) : undefined;
  const c = container.createChildContainer();
  // The optimised build (`npm run cli` builds it); a debug build only when there is no release one.
  registerSidecarDefaults(c, { launch: { workspaceRoot: root, transport }, resolve: { devProfiles: ['release', 'debug'] } });
  // Framework warnings are noise for a CLI user unless they asked for details.
  c.register(LoggerToken, { useValue: new ConsoleLogger(options.verbose ? 'info' : 'error') });
  registerCliSidecars(c, { root });
  const registry = createSidecarRegistry(c);

  const crashes = new Map<string, SupervisorEvents['crash']>();
  const observers: Disposable[] = [registry.on('crash', (c) => void crashes.set(c.sidecar, c))];
  if (options.trace) {
    try {
      observers.push(recordTrace(registry, path.resolve(options.trace)));
    } catch (e) {
      throw new UsageError(`cannot write the trace file ${options.trace}: ${(e as Error).message}`);
    }
  }
  if (options.verbose) observers.push(showSidecarStderr(registry, writeStderr));

  let disposing: Promise<void> | undefined;
  return {
    root,
    registry,
    workspace: c.resolve(WorkspaceAPIToken),
    typescript: c.resolve(TypeScriptAPIToken),
    crashes,
    dispose: () => {
      disposing ??= registry.dispose().finally(() => {
        for (const o of observers) o.dispose();
      });
      return disposing;
    },
  };
}

/** The transport of `--remote`, reporting uploads (and, with --verbose, reuse) on stderr. */
function remoteTransport(spec: string, remoteDir: string | undefined, verbose: boolean, writeStderr: (line: string) => void): RemoteTransport {
  let transport: RemoteTransport;
  try {
    transport = new RemoteTransport(spec, { remoteDir });
  } catch (e) {
    throw new UsageError(`--remote: ${(e as Error).message}`);
  }
  transport.on('provision', (p) => {
    if (p.uploaded) writeStderr(`uploaded ${p.sidecar} (${(p.bytes / 1048576).toFixed(1)} MiB, ${p.triple}) to ${p.remotePath} in ${p.durationMs} ms`);
    else if (verbose) writeStderr(`using ${p.remotePath} on the remote (${p.platform}, checksum matches)`);
  });
  return transport;
}

/** The folder as an absolute real path, or a usage error that names it. */
function checkFolder(dir: string): string {
  const abs = path.resolve(dir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new UsageError(`folder not found: ${abs} (pass an existing folder with --root)`);
  }
  if (!stat.isDirectory()) throw new UsageError(`not a folder: ${abs} (--root takes a folder)`);
  return fs.realpathSync(abs);
}
