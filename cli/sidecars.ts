/**
 * The one list of sidecars the CLI registers. Everything else in the CLI reaches sidecars through
 * the registry by name, so adding a sidecar to the CLI (and to `skaffa sidecars` and `skaffa call`)
 * is one more line here. The container already holds the framework defaults, with launch option
 * `workspaceRoot` set to the folder the CLI was pointed at.
 */
import type { DependencyContainer } from 'tsyringe';
import { registerSidecar } from 'skaffa-sidecars';
import { markdownManifest } from 'skaffa-sidecars/markdown';
import { registerTypeScriptSidecar } from 'skaffa-sidecars/typescript';
import { registerWorkspaceSidecar } from 'skaffa-sidecars/workspace';

/** What the CLI knows when it registers sidecars. */
export interface CliSidecarOptions {
  /** Absolute path of the folder given with `--root` (the current directory by default). */
  root: string;
}

/**
 * Registers every sidecar the CLI offers in `container`: the workspace sidecar (which also
 * provides the WorkspaceAPI the find/search/glob/read/watch commands use), the typescript
 * analysis sidecar (the TypeScriptAPI of symbols/outline/importers and quick open's `@`) and the
 * Markdown sidecar, reachable with `skaffa call`: the sidecars the library package ships (the
 * Node diff sidecar is an in-repository example, not part of the package). Sidecars start lazily, so the
 * ones a command does not use cost nothing.
 */
export function registerCliSidecars(container: DependencyContainer, options: CliSidecarOptions): void {
  // The workspace sidecar reads its folder from the launch options the session registered, so it
  // needs nothing from `options`; a sidecar that takes per-run settings would read them here.
  void options;
  registerWorkspaceSidecar(container);
  registerTypeScriptSidecar(container);
  registerSidecar(container, markdownManifest);
}
