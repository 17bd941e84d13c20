/**
 * The main process, with Electron passed in: the app's pages come from a custom `app://bundle/`
 * scheme rather than file:// (so the renderer's origin is the app's own and IPC senders can be
 * checked against it), every window is sandboxed with context isolation and a preload, navigation,
 * new windows and permission requests are refused, and the quit hook stops every sidecar before
 * the app exits. `index.ts` calls `startApp` with Electron's real modules.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installQuitHook, type IWorkspaceHost } from 'skaffa-sidecars/workspace';
import { APP_ORIGIN, registerHandlers, type Handlers } from './handlers';
import type { ElectronPorts, WindowOptions, WindowPort } from './ports';

export interface AppOptions {
  electron: ElectronPorts;
  host: Pick<IWorkspaceHost, 'open' | 'close' | 'dispose'>;
  /** Folder of index.html, renderer.js and the stylesheet. */
  rendererDir: string;
  /** Absolute path of the compiled preload script. */
  preloadPath: string;
}

export interface RunningApp {
  handlers: Handlers;
  /** Opens one more window on the app's page. */
  createWindow(): Promise<WindowPort>;
}

const SCHEME = APP_ORIGIN.protocol.slice(0, -1);
export const START_URL = `${SCHEME}://${APP_ORIGIN.host}/index.html`;

export async function startApp(options: AppOptions): Promise<RunningApp> {
  const { app, ipcMain, BrowserWindow, dialog, protocol, net, session } = options.electron;
  // Must happen before `ready`: a standard, secure scheme behaves like https for the page.
  protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true } }]);
  // On will-quit: hold the quit until every folder's sidecar is down (at most 5 s), then exit.
  installQuitHook(app, options.host, { deadlineMs: 5_000 });

  const windows = new Map<number, WindowPort>();
  const handlers = registerHandlers({
    ipcMain,
    host: options.host,
    pickFolder: async () => {
      const r = await dialog.showOpenDialog({ properties: ['openDirectory'] });
      return r.canceled ? undefined : r.filePaths[0];
    },
    send: (id, channel, notice) => windows.get(id)?.webContents.send(channel, notice),
  });

  // For every web contents, this app's or not: no navigation away, no new windows.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  app.on('window-all-closed', () => app.quit());

  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  protocol.handle(SCHEME, (request) => {
    const file = assetPath(options.rendererDir, request.url);
    return file ? net.fetch(pathToFileURL(file).toString()) : new Response('not found', { status: 404 });
  });

  const createWindow = async (): Promise<WindowPort> => {
    const webPreferences: WindowOptions['webPreferences'] = {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
    };
    const win = new BrowserWindow({ width: 1000, height: 700, webPreferences });
    const id = win.webContents.id;
    windows.set(id, win);
    handlers.addWindow(id);
    win.on('closed', () => {
      windows.delete(id);
      void handlers.removeWindow(id);
    });
    await win.loadURL(START_URL);
    return win;
  };
  await createWindow();
  return { handlers, createWindow };
}

/** The file under `dir` an `app://bundle/…` URL names, or undefined for any other URL or a path that leaves `dir`. */
export function assetPath(dir: string, url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== APP_ORIGIN.protocol || u.host !== APP_ORIGIN.host) return undefined;
  const file = path.resolve(dir, `.${decodeURIComponent(u.pathname)}`);
  const inside = path.relative(dir, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return undefined;
  return file;
}
