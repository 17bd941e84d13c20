/**
 * Where the workspace sidecar keeps its index snapshots by default: the platform's cache folder
 * for this app (`$XDG_CACHE_HOME/<app>` or `~/.cache/<app>`, `~/Library/Caches/<app>`,
 * `%LOCALAPPDATA%\<app>\Cache`). A cache folder rather than Electron's `userData`: `userData` is
 * roamed or synced on some systems (a roaming Windows profile, a backed-up home) and a snapshot is
 * large, machine-specific and worth nothing elsewhere, which is exactly what cache folders are for
 * (backup tools skip them, and the OS may clear them when disk runs low). Never inside the
 * workspace either, since a sidecar does not write workspace files.
 * A pure function of its inputs, so tests can model every OS from one machine.
 */
import * as path from 'node:path';

/** What the default depends on; `process.platform`, `process.env` and `os.homedir()` in an app. */
export interface CacheDirInputs {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  /** The user's home folder; empty when unknown (what `os.homedir()` may give a user without one). */
  homedir: string | undefined;
  /** The app's name, the folder created under the platform's cache folder. */
  appName: string;
}

/** The cache folder for `appName`, or undefined when neither the environment nor a home folder says where it is. */
export function defaultCacheDir({ platform, env, homedir, appName }: CacheDirInputs): string | undefined {
  const p = platform === 'win32' ? path.win32 : path.posix;
  // A relative home or variable would depend on the current directory: a different cache per launch.
  const absolute = (dir: string | undefined) => (dir && p.isAbsolute(dir) ? dir : undefined);
  const home = absolute(homedir);
  if (platform === 'win32') {
    const local = absolute(env.LOCALAPPDATA) ?? (home && p.join(home, 'AppData', 'Local'));
    return local && p.join(local, appName, 'Cache');
  }
  if (platform === 'darwin') return home && p.join(home, 'Library', 'Caches', appName);
  // Linux and the other unixes follow the XDG base directory spec, which says to ignore a relative value.
  const cache = absolute(env.XDG_CACHE_HOME) ?? (home && p.join(home, '.cache'));
  return cache && p.join(cache, appName);
}
