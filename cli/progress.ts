/**
 * The progress bar shown while the workspace sidecar builds its first index, and the figures shown
 * once it is ready (files, time, sidecar memory). The sidecar reports how many files it has seen
 * (`workspace/indexProgress {files}`) but not how many there will be, so while scanning the bar is
 * an honest "busy" bar (a block sliding along it) next to the live count, and it fills when the
 * index is ready. cli-progress does the terminal work: redraw rate, cursor, and staying silent when
 * stderr is not a terminal.
 */
import * as cliProgress from 'cli-progress';
import { WorkspaceEvents, workspaceManifest } from 'skaffa-sidecars/workspace';
import { color, formatBytes, rssBytes } from './format';
import type { Session } from './session';

/** What the first index took. */
export interface IndexFigures {
  files: number;
  ms: number;
  /** Resident memory of the workspace sidecar, when the OS tells (Linux /proc). */
  rssBytes?: number;
  watching: boolean;
}

const BAR_WIDTH = 30;

/**
 * Starts the workspace sidecar, shows the bar on stderr until the first index is ready, and
 * returns the figures. On failure the bar says so and the error follows it.
 */
export async function buildIndexWithProgress(session: Session, interrupt: AbortSignal): Promise<IndexFigures> {
  const started = performance.now();
  const bar = new cliProgress.SingleBar({
    format: (_options, params, payload: { done?: boolean; failed?: boolean }) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (payload.failed) return `${color.bold('indexing')} ${color.red('failed')} after ${params.value} files ${color.dim(`${seconds}s`)}`;
      return `${color.bold('indexing')} ${renderBar(payload.done === true)} ${params.value} files ${color.dim(`${seconds}s`)}`;
    },
    fps: 12,
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(1, 0, { done: false });
  // Ctrl-C while scanning ends the process from main; stopping the bar first gives the cursor back.
  const onInterrupt = () => bar.stop();
  interrupt.addEventListener('abort', onInterrupt, { once: true });
  const progress = session.registry.client(workspaceManifest).onEvent(WorkspaceEvents.indexProgress, (data) => {
    bar.update((data as { files: number }).files);
  });
  try {
    await session.registry.start([workspaceManifest.name]);
    // Every indexed query waits for the first scan, so its answer marks "index ready".
    await session.workspace.glob(['**'], { limit: 1 });
    const status = await session.workspace.status();
    bar.update(status.files, { done: true });
    bar.stop();
    return {
      files: status.files,
      ms: performance.now() - started,
      rssBytes: rssBytes(session.registry.supervisor(workspaceManifest.name).pid),
      watching: status.watching,
    };
  } catch (e) {
    bar.update({ failed: true });
    bar.stop();
    throw e;
  } finally {
    interrupt.removeEventListener('abort', onInterrupt);
    progress.dispose();
  }
}

/** The figures line shown under the finished bar. */
export function formatFigures(f: IndexFigures): string {
  const parts = [`${color.bold(String(f.files))} files`, `${(f.ms / 1000).toFixed(2)} s`, `sidecar RSS ${formatBytes(f.rssBytes)}`, f.watching ? 'watching for changes' : color.yellow('not watching')];
  return `${color.green('✔')} index ready: ${parts.join(color.dim(' · '))}`;
}

/** A full bar when done; otherwise a block sliding back and forth, since the total is unknown. */
function renderBar(done: boolean): string {
  if (done) return color.green('█'.repeat(BAR_WIDTH));
  const block = 6;
  const span = BAR_WIDTH - block;
  const step = Math.floor(performance.now() / 60) % (2 * span);
  const at = step < span ? step : 2 * span - step;
  return color.dim('░'.repeat(at)) + color.cyan('█'.repeat(block)) + color.dim('░'.repeat(span - at));
}
