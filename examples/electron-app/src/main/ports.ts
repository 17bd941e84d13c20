/**
 * The slice of Electron's main-process API this app uses, as narrow structural types. `index.ts`
 * passes Electron's real modules in, so the type check (against Electron's own typings) proves
 * they fit; the tests pass small stand-ins and run the same code without an Electron binary.
 */

/** The frame that sent an IPC message (Electron's `WebFrameMain`). */
export interface SenderFrame {
  readonly url: string;
  readonly parent: SenderFrame | null;
}

/** What `ipcMain.handle` listeners receive (Electron's `IpcMainInvokeEvent`). */
export interface InvokeEvent {
  readonly sender: { readonly id: number };
  /** Null when the frame navigated away or was destroyed before main looked. */
  readonly senderFrame: SenderFrame | null;
}

export interface IpcMainPort {
  handle(channel: string, listener: (event: InvokeEvent, ...args: any[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** A window's web contents: what main sends to it and the navigation it guards. */
export interface ContentsPort {
  readonly id: number;
  send(channel: string, ...args: any[]): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }) => void): unknown;
}

export interface WindowPort {
  readonly webContents: ContentsPort;
  loadURL(url: string): Promise<void>;
  on(event: 'closed', listener: () => void): unknown;
}

/** What the window is created with (a subset of `BrowserWindowConstructorOptions`). */
export interface WindowOptions {
  width: number;
  height: number;
  show?: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    experimentalFeatures: false;
  };
}

export interface AppPort {
  readonly isPackaged: boolean;
  on(event: 'will-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'web-contents-created', listener: (event: unknown, contents: ContentsPort) => void): unknown;
  removeListener(event: 'will-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  whenReady(): Promise<unknown>;
  quit(): void;
  exit(exitCode?: number): void;
}

export interface ElectronPorts {
  app: AppPort;
  ipcMain: IpcMainPort;
  BrowserWindow: new (options: WindowOptions) => WindowPort;
  dialog: {
    showOpenDialog(options: { properties: Array<'openDirectory'> }): Promise<{ canceled: boolean; filePaths: string[] }>;
  };
  protocol: {
    registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges: { standard: boolean; secure: boolean } }>): void;
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  };
  net: { fetch(url: string): Promise<Response> };
  session: {
    defaultSession: {
      setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
    };
  };
}
