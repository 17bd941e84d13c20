/**
 * Main's side of the boundary: one `ipcMain.handle` per capability. Each handler first checks who
 * is calling (the top frame of one of this app's windows, showing the app's own page: the
 * security guide's "validate the sender of all IPC messages"), then validates its arguments, and
 * only then calls the window's WorkspaceAPI. Answers carry folder-relative paths only. The app
 * writes nothing; if it did, the writes would live here, in main, never behind the WorkspaceAPI.
 */
import * as path from 'node:path';
import { SidecarError } from 'skaffa-sidecars';
import type { IWorkspaceHost, WorkspaceAPI } from 'skaffa-sidecars/workspace';
import type { ChangeNotice, DidChangeChannel, FilePreview, InvokeChannel, Invocations } from '../contract';
import type { InvokeEvent, IpcMainPort } from './ports';

/** The app's own pages are served from here (see `assets.ts`); nothing else may call main. */
export const APP_ORIGIN = { protocol: 'app:', host: 'bundle' } as const;
const MAX_QUERY = 256;
const MAX_PATH = 1024;
const PREVIEW_BYTES = 64 * 1024;

export interface HandlerDeps {
  ipcMain: IpcMainPort;
  host: Pick<IWorkspaceHost, 'open' | 'close'>;
  /** Asks the user for a folder (the OS dialog); undefined when cancelled. */
  pickFolder(): Promise<string | undefined>;
  /** Sends to one window's renderer. */
  send(contentsId: number, channel: DidChangeChannel, notice: ChangeNotice): void;
}

/** What main tracks per window: the folder it has open and its change subscription. */
interface WindowState {
  root?: string;
  api?: WorkspaceAPI;
  unwatch?: () => void;
}

export interface Handlers {
  /** A window main created; only these may call. */
  addWindow(contentsId: number): void;
  /** The window closed: stop watching, and stop its folder's sidecar unless another window uses it. */
  removeWindow(contentsId: number): Promise<void>;
  /** Removes every handler. */
  dispose(): void;
}

/** Thrown (and seen by the renderer as a rejected promise) for any call main will not serve. */
export class Refused extends Error {
  constructor(reason: string) {
    super(`refused: ${reason}`);
  }
}

export function registerHandlers(deps: HandlerDeps): Handlers {
  const windows = new Map<number, WindowState>();

  const serve = <C extends InvokeChannel>(
    channel: C,
    fn: (state: WindowState, contentsId: number, ...args: unknown[]) => Promise<Invocations[C]['result']>,
  ) => {
    deps.ipcMain.handle(channel, (event: InvokeEvent, ...args: unknown[]) => {
      const state = trustedWindow(event, windows);
      return fn(state, event.sender.id, ...args);
    });
  };

  serve('workspace:openFolder', async (state, contentsId) => {
    const root = await deps.pickFolder();
    if (root === undefined) return null;
    state.unwatch?.();
    const previous = state.root;
    state.root = root;
    state.api = deps.host.open(root);
    const watch = state.api.watch('**/*', (e) => deps.send(contentsId, 'workspace:didChange', { paths: e.changes.map((c) => c.path) }));
    state.unwatch = () => watch.dispose();
    void state.api.status(); // start indexing now, so quick open is ready when the user types
    if (previous !== undefined) await closeIfUnused(previous);
    return { name: path.basename(root) };
  });

  serve('workspace:findFiles', async (state, _id, query) => {
    const { matches, indexing } = await folderOf(state).findFiles(text(query, MAX_QUERY, 'query'), { limit: 50 });
    return { matches: matches.map((m) => ({ path: m.path, positions: m.positions })), indexing: indexing !== undefined };
  });

  serve('workspace:search', async (state, _id, query) => {
    const q = text(query, MAX_QUERY, 'query');
    if (q.length === 0) return { hits: [], truncated: false };
    const result = await folderOf(state).search(q, { maxResults: 200 });
    const hits = result.lines.map((l) => {
      const offset = l.textOffset ?? 0;
      const ranges = l.ranges.map(([s, e]): [number, number] => [s - offset, e - offset]);
      return { path: l.path, line: l.line, text: l.text, ranges };
    });
    return { hits, truncated: result.truncated };
  });

  serve('workspace:readFile', async (state, _id, file) => {
    const rel = relativePath(file);
    try {
      const r = await folderOf(state).readFile(rel, { maxBytes: PREVIEW_BYTES });
      return { path: rel, text: r.content, truncated: r.size > PREVIEW_BYTES } satisfies FilePreview;
    } catch (e) {
      // The sidecar checks what main cannot see lexically, such as a symlink leading out of the folder.
      if (SidecarError.is(e, 'OUTSIDE_WORKSPACE')) throw new Refused('the path is outside the folder');
      throw e;
    }
  });

  async function closeIfUnused(root: string): Promise<void> {
    if (![...windows.values()].some((w) => w.root === root)) await deps.host.close(root);
  }

  return {
    addWindow: (contentsId) => void windows.set(contentsId, {}),
    removeWindow: async (contentsId) => {
      const state = windows.get(contentsId);
      windows.delete(contentsId);
      state?.unwatch?.();
      if (state?.root !== undefined) await closeIfUnused(state.root);
    },
    dispose: () => {
      for (const channel of ['workspace:openFolder', 'workspace:findFiles', 'workspace:search', 'workspace:readFile'] satisfies InvokeChannel[]) {
        deps.ipcMain.removeHandler(channel);
      }
    },
  };
}

/** The sender is the top frame of a window main created, showing the app's own page. */
function trustedWindow(event: InvokeEvent, windows: Map<number, WindowState>): WindowState {
  const state = windows.get(event.sender.id);
  const frame = event.senderFrame;
  if (!state || !frame || frame.parent !== null) throw new Refused('unexpected sender');
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    throw new Refused('unexpected sender');
  }
  if (url.protocol !== APP_ORIGIN.protocol || url.host !== APP_ORIGIN.host) throw new Refused('unexpected sender');
  return state;
}

function folderOf(state: WindowState): WorkspaceAPI {
  if (!state.api) throw new Refused('no folder is open');
  return state.api;
}

function text(value: unknown, max: number, what: string): string {
  if (typeof value !== 'string' || value.length > max) throw new Refused(`${what} must be a string of at most ${max} characters`);
  return value;
}

/** A folder-relative `/` path that cannot name anything outside the folder lexically. */
export function relativePath(value: unknown): string {
  const p = text(value, MAX_PATH, 'path');
  const segments = p.split('/');
  const outside =
    p.length === 0 ||
    p.includes('\\') ||
    p.includes('\0') ||
    path.posix.isAbsolute(p) ||
    path.win32.isAbsolute(p) ||
    segments.some((s) => s === '..' || s === '.' || s === '');
  if (outside) throw new Refused('the path is outside the folder');
  return p;
}
