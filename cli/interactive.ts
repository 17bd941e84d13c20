/**
 * Interactive quick open, what a bare `skaffa` in a terminal runs. The list opens at once, while
 * the workspace sidecar builds its first index: each keystroke asks for the best fuzzy matches
 * (matched characters highlighted from the sidecar's `positions`), answered from the files found
 * so far until the index is ready, and the list refreshes itself as more are found and when the
 * index is complete (see `quick-open.ts`). A newer keystroke aborts the previous query's signal,
 * which cancels it in the sidecar too (`$/cancel`). `@` + a name lists TS/JS symbols from the
 * typescript sidecar, which starts only then. Enter prints the chosen file's first lines (for a
 * search hit or a symbol, the lines around it). If the sidecar cannot build the index, the list
 * closes and the error is explained as for any command.
 */
import { SidecarError } from 'skaffa-sidecars';
import { WorkspaceEvents, workspaceManifest } from 'skaffa-sidecars/workspace';
import { ExitCode, InterruptedError } from './errors';
import { color, previewLines, rssBytes } from './format';
import { IndexTracker, type IndexSource } from './index-tracker';
import type { Output } from './output';
import { openQuickOpen, type Chosen, type PromptIo } from './quick-open';
import type { Session } from './session';

const PREVIEW_LINES = 20;

/**
 * Runs quick open until a file is chosen (exit 0) or Ctrl-C (exit 130). `io` is the terminal by
 * default; tests pass a scripted one.
 */
export async function runInteractive(session: Session, out: Output, interrupt: AbortSignal, io: Omit<PromptIo, 'signal'> = {}): Promise<number> {
  const index = new IndexTracker(indexSource(session));
  const screen = (io.output ?? process.stdout) as Partial<NodeJS.WriteStream>;
  const cols = screen.columns ?? 100;
  const prompt = openQuickOpen(session.workspace, index, { rows: screen.rows, cols, io: { ...io, signal: interrupt }, typescript: session.typescript });
  // The index failing (the binary is missing, the scan died) closes the list with its error.
  let failure: unknown;
  index.ready.catch((e: unknown) => {
    failure = e;
    prompt.cancel();
  });
  let picked: Chosen;
  try {
    picked = await prompt;
  } catch (e) {
    if (failure !== undefined) throw failure;
    // Ctrl-C inside the prompt (raw mode: no SIGINT arrives) or our interrupt signal (a real SIGINT).
    if (e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError')) throw new InterruptedError();
    throw e;
  }
  out.lines(await preview(session, picked, cols));
  return ExitCode.ok;
}

/** The tracker's view of the session's workspace sidecar. */
function indexSource(session: Session): IndexSource {
  return {
    start: () => session.registry.start([workspaceManifest.name]),
    untilReady: async () => {
      // Every indexed query but findFiles waits for the first scan, so its answer marks "ready".
      await session.workspace.glob(['**'], { limit: 1 });
      const status = await session.workspace.status();
      return { files: status.files, watching: status.watching, rssBytes: rssBytes(session.registry.supervisor(workspaceManifest.name).pid) };
    },
    onProgress: (listener) => {
      const sub = session.registry.client(workspaceManifest).onEvent(WorkspaceEvents.indexProgress, (data) => listener(data.files));
      return () => sub.dispose();
    },
  };
}

/** The chosen file's first lines, or the lines around a chosen search hit or symbol. */
async function preview(session: Session, p: Chosen, cols: number): Promise<string[]> {
  const title = color.bold(p.line ? `${p.path}:${p.line}` : p.path);
  try {
    const file = await session.workspace.readFile(p.path, { maxBytes: 16 << 20 });
    const from = p.line ? Math.max(1, p.line - 3) : 1;
    return [title, ...previewLines(file.content, { from, count: PREVIEW_LINES, mark: p.line, width: cols })];
  } catch (e) {
    if (SidecarError.is(e, 'INVALID_ENCODING')) return [title, color.dim('  (binary or not UTF-8; use `skaffa read --base64`)')];
    if (SidecarError.is(e, 'TOO_LARGE')) return [title, color.dim('  (larger than 16 MiB; not previewed)')];
    throw e;
  }
}
