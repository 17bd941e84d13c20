/**
 * `skaffa watch [globs...]`: streams file changes until Ctrl-C. It starts the workspace sidecar,
 * waits until the first index is built and the OS watch is live (so a change made after the
 * "watching" line is never missed), then prints each batch: `created  path` lines, or one NDJSON
 * line per batch under `--json`. Ctrl-C ends it with exit code 130 after main shuts the sidecar
 * down; a sidecar that fails for good ends it with an error instead of a silent hang.
 */
import type { Disposable } from 'skaffa-sidecars';
import { workspaceManifest, type WorkspaceChangeEvent } from 'skaffa-sidecars/workspace';
import type { Invocation } from './args';
import { ExitCode, InterruptedError } from './errors';
import { color } from './format';
import type { Output } from './output';
import type { Session } from './session';

/** How long to wait for the OS watch after the index is ready before warning that it is off. */
const WATCH_START_GRACE_MS = 5_000;
const POLL_MS = 100;

/** Runs `watch` until `interrupt` fires (exit 130) or the sidecar fails (thrown). */
export async function runWatch(inv: Extract<Invocation, { kind: 'watch' }>, session: Session, out: Output, interrupt: AbortSignal): Promise<number> {
  await session.registry.start([workspaceManifest.name]);
  const sub = session.workspace.watch(inv.globs, (e) => printBatch(e, out));
  let onFailed: Disposable | undefined;
  const failed = new Promise<never>((_, reject) => {
    onFailed = session.registry.on('failed', (f) => reject(new Error(`the ${f.sidecar} sidecar failed for good (${f.reason}) after ${f.crashes} crashes`)));
  });
  failed.catch(() => undefined); // raced below; this only keeps a late failure from being "unhandled"
  const crashes = session.registry.on('crash', (c) => {
    out.note(color.yellow(`${c.sidecar} sidecar crashed (${c.signal ?? `exit ${c.exitCode}`}); restarting. Last stderr:`));
    for (const line of c.stderrTail.slice(-10)) out.note(`  ${line}`);
  });
  try {
    await Promise.race([waitUntilWatching(session, out, interrupt), failed]);
    out.note(color.dim(`watching ${session.root} for ${inv.globs.join(', ')} — Ctrl-C to stop`));
    await Promise.race([whenAborted(interrupt), failed]);
    return ExitCode.interrupted;
  } finally {
    onFailed?.dispose();
    crashes.dispose();
    sub.dispose();
  }
}

function printBatch(e: WorkspaceChangeEvent, out: Output): void {
  if (out.json) {
    out.ndjson({ generation: e.generation, rescan: e.rescan, changes: e.changes });
    return;
  }
  if (e.rescan) out.note(color.yellow('(the OS dropped events; the sidecar rescanned and found these changes)'));
  const paint = { created: color.green, changed: color.yellow, deleted: color.red } as const;
  out.lines(e.changes.map((c) => `${paint[c.type](c.type.padEnd(8))} ${c.path}`));
}

/** Polls `status` until the index is ready and watching (or warns that watching is off). */
async function waitUntilWatching(session: Session, out: Output, interrupt: AbortSignal): Promise<void> {
  let readySince: number | undefined;
  for (;;) {
    if (interrupt.aborted) throw new InterruptedError();
    const status = await session.workspace.status({ signal: interrupt });
    if (status.watching) return;
    if (status.state === 'ready') {
      readySince ??= performance.now();
      if (performance.now() - readySince > WATCH_START_GRACE_MS) {
        out.note(color.yellow('warning: the sidecar could not watch this folder (see --verbose); no changes will be reported'));
        return;
      }
    }
    await delay(POLL_MS, interrupt);
  }
}

function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Waits `ms`, or less when `signal` aborts first. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
