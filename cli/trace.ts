/**
 * Observing sidecars from the CLI: `--trace <file>` records every protocol message in both
 * directions as NDJSON (`{"time", "sidecar", "dir": "→" | "←", "message"}`, one message per line,
 * arrows from main's point of view), and `--verbose` shows each sidecar's stderr prefixed with its
 * name. Both use only the registry's public events. The trace file is written synchronously so
 * that it is complete even when the CLI exits right after the last response or on Ctrl-C.
 */
import * as fs from 'node:fs';
import type { Disposable, ISidecarRegistry } from 'skaffa-sidecars';
import { color } from './format';

/** One line of a trace file. */
export interface TraceLine {
  /** ISO 8601 time the message was sent or received. */
  time: string;
  sidecar: string;
  /** `→` main sent it to the sidecar, `←` main received it. */
  dir: '→' | '←';
  message: unknown;
}

/**
 * Appends every message of every sidecar to `file` (truncated first). Throws if the file cannot
 * be opened, before any sidecar starts, so a typo in the path is reported at once.
 */
export function recordTrace(registry: ISidecarRegistry, file: string): Disposable {
  const fd = fs.openSync(file, 'w');
  const sub = registry.on('trace', (t) => {
    const line: TraceLine = { time: new Date(t.time).toISOString(), sidecar: t.sidecar, dir: t.direction === 'send' ? '→' : '←', message: t.message };
    fs.writeSync(fd, `${JSON.stringify(line)}\n`);
  });
  let closed = false;
  return {
    dispose: () => {
      if (closed) return;
      closed = true;
      sub.dispose();
      fs.closeSync(fd);
    },
  };
}

/** Shows every sidecar's stderr on our stderr as `[name] line`. */
export function showSidecarStderr(registry: ISidecarRegistry, write: (line: string) => void): Disposable {
  return registry.on('stderr', ({ sidecar, line }) => write(`${color.dim(`[${sidecar}]`)} ${line}`));
}
