/**
 * Writes newline-delimited JSON to a sidecar's stdin and respects backpressure: when the pipe is
 * full, further messages wait in a queue and go out together on `drain`, instead of piling up
 * inside Node's stream buffer. Writing to a sidecar that has died is not an error here; the
 * supervisor learns of the death from the process itself.
 */
import type { Writable } from 'node:stream';

/** Serializes and writes messages in order. */
export class MessageWriter {
  private queue: string[] = [];
  private blocked = false;
  private closed = false;

  constructor(private readonly stream: Writable) {
    // EPIPE and friends surface as 'error' on the stream once the child is gone; the process
    // exit handler reports the crash, so here the error only stops further writes.
    stream.on('error', () => {
      this.closed = true;
      this.queue = [];
    });
  }

  /** Number of messages waiting for the pipe to drain. */
  get queued(): number {
    return this.queue.length;
  }

  /** Queues `message` for writing. Never throws for a closed pipe. */
  write(message: unknown): void {
    if (this.closed) return;
    const line = `${JSON.stringify(message)}\n`;
    if (this.blocked) {
      this.queue.push(line);
      return;
    }
    if (!this.stream.write(line)) this.waitForDrain();
  }

  /** Stops writing and ends the stream, which a sidecar sees as EOF on stdin. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.stream.end();
  }

  private waitForDrain(): void {
    this.blocked = true;
    this.stream.once('drain', this.flush);
  }

  private readonly flush = () => {
    this.blocked = false;
    if (this.closed || this.queue.length === 0) return;
    const batch = this.queue.join('');
    this.queue = [];
    if (!this.stream.write(batch)) this.waitForDrain();
  };
}
