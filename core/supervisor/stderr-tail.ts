/**
 * Splits a sidecar's stderr into lines and keeps the most recent ones, so that a crash report can
 * say what the sidecar printed last. Very long lines are cut, so a sidecar flooding stderr costs
 * bounded memory in main.
 */
import type { Readable } from 'node:stream';

const MAX_LINE_CHARS = 4096;

/** Keeps the last `capacity` stderr lines of one process and reports each line as it arrives. */
export class StderrTail {
  private lines: string[] = [];
  private partial = '';

  constructor(
    stream: Readable,
    private readonly capacity: number,
    onLine: (line: string) => void,
  ) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      if (this.partial.length > MAX_LINE_CHARS) {
        parts.push(this.partial);
        this.partial = '';
      }
      for (const raw of parts) {
        const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        this.push(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);
        onLine(line);
      }
    });
    stream.on('end', () => {
      if (this.partial) {
        this.push(this.partial);
        onLine(this.partial);
        this.partial = '';
      }
    });
    stream.on('error', () => undefined);
  }

  /** The last lines, oldest first (at most `n`). */
  last(n = this.capacity): string[] {
    return this.lines.slice(-n);
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }
}
