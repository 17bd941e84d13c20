/**
 * The preload: the only code that sees both the page and IPC. It exposes `window.workspace`, a
 * few narrow functions, with `contextBridge`; never `ipcRenderer` itself, and never the IPC event
 * (whose `sender` would reach back into main's objects). Sandboxed, it may `require` only
 * `electron`, so everything it needs is in this one file; types come from `../contract`.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ChangeNotice, DidChangeChannel, InvokeChannel, Invocations, WorkspaceBridge } from '../contract';

function invoke<C extends InvokeChannel>(channel: C, ...args: Invocations[C]['args']): Promise<Invocations[C]['result']> {
  return ipcRenderer.invoke(channel, ...args) as Promise<Invocations[C]['result']>;
}

const didChange: DidChangeChannel = 'workspace:didChange';

const workspace: WorkspaceBridge = {
  openFolder: () => invoke('workspace:openFolder'),
  findFiles: (query) => invoke('workspace:findFiles', String(query)),
  search: (query) => invoke('workspace:search', String(query)),
  readFile: (path) => invoke('workspace:readFile', String(path)),
  onDidChange: (listener) => {
    // The page's listener gets the notice only, never the IpcRendererEvent.
    const wrapped = (_event: unknown, notice: ChangeNotice) => listener(notice);
    ipcRenderer.on(didChange, wrapped);
    return () => void ipcRenderer.removeListener(didChange, wrapped);
  },
};

contextBridge.exposeInMainWorld('workspace', workspace);
