/**
 * The app's entry point (`main` in package.json): Electron's real modules and the WorkspaceHost
 * go into `startApp`. Everything testable lives in `app.ts` and `handlers.ts`.
 */
import 'reflect-metadata';
import * as path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session } from 'electron';
import { WorkspaceHost } from 'skaffa-sidecars/workspace';
import { startApp } from './app';

// Packaged, the sidecar binary is found unpacked next to app.asar (see electron-builder.json).
// Index snapshots go to this app's own cache folder (~/.cache/<name>, ~/Library/Caches/<name>…).
const host = new WorkspaceHost({
  defaults: { resolve: { isPackaged: app.isPackaged, resourcesPath: process.resourcesPath } },
  appName: app.getName(),
});

startApp({
  electron: { app, BrowserWindow, dialog, ipcMain, net, protocol, session },
  host,
  rendererDir: path.join(__dirname, '..', 'renderer'),
  preloadPath: path.join(__dirname, '..', 'preload', 'preload.js'),
}).catch((e: unknown) => {
  console.error(e);
  app.exit(1);
});
