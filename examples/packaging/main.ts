/**
 * How an Electron main process wires the sidecars: Electron's `app.isPackaged` and
 * `process.resourcesPath` go into the resolve context, a WorkspaceHost gives each window's folder
 * its own workspace sidecar, and one quit hook disposes them all before the app exits. The
 * binaries come from the installed platform package (unpacked from app.asar when packaged).
 * Electron cannot be installed in this repository's CI, so test/docs-compile.test.ts type-checks
 * this file as an installed app would, against a model of Electron's API.
 */
import 'reflect-metadata';
import { app, BrowserWindow } from 'electron';
import { installQuitHook, WorkspaceHost } from 'skaffa-sidecars/workspace';

const host = new WorkspaceHost({
  defaults: { resolve: { isPackaged: app.isPackaged, resourcesPath: process.resourcesPath } },
  appName: app.getName(), // index snapshots go to this app's cache folder
});
// On will-quit: hold the quit until every sidecar is down (at most 5 s), then app.exit().
installQuitHook(app, host, { deadlineMs: 5_000 });

/** Opens a window on `root`; the folder's sidecar stops when its last window closes. */
export function openWindow(root: string, windows: Map<string, Set<BrowserWindow>>): BrowserWindow {
  const win = new BrowserWindow({ width: 1200, height: 800 });
  const open = windows.get(root) ?? new Set();
  windows.set(root, open.add(win));
  void host.open(root).status(); // start indexing now, so quick open is ready when the user types
  win.on('closed', () => {
    open.delete(win);
    if (open.size === 0) void host.close(root);
  });
  return win;
}
