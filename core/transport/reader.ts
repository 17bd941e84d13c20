/**
 * Reads newline-delimited JSON from a sidecar's stdout. It splits the byte stream into lines
 * without copying more than it must, parses each line, and hands the result to a sink
 * synchronously (this is the hot path of every response). A line longer than `maxLineBytes` is
 * never buffered whole: the reader reports it once and discards bytes up to the next newline.
 */
import type { Readable } from 'node:stream';

/** Where the reader delivers what it read. */
export interface ReaderSink {
  /** A line that parsed as JSON (not yet classified). */
  onValue(value: unknown, byteLength: number): void;
  /** A line that is not valid JSON; `line` is truncated for logging. */
  onParseError(line: string, error: Error): void;
  /** A line exceeded the size limit; its bytes are being discarded. */
  onLineTooLong(bytesSoFar: number): void;
  /** The stream ended or errored. */
  onClose(): void;
}

/** Default limit for one protocol line: 64 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

const NEWLINE = 0x0a;
const LOG_PREVIEW = 200;

/** Subscribes to `stream` and feeds `sink`; returns a function that detaches it. */
export function readMessages(stream: Readable, sink: ReaderSink, maxLineBytes = DEFAULT_MAX_LINE_BYTES): () => void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let discarding = false;

  const emitLine = (line: Buffer) => {
    // Tolerate CRLF from sidecars written on Windows.
    const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
    if (end === 0) return;
    const text = line.toString('utf8', 0, end);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      sink.onParseError(text.length > LOG_PREVIEW ? `${text.slice(0, LOG_PREVIEW)}…` : text, e as Error);
      return;
    }
    sink.onValue(value, end);
  };

  const onData = (chunk: Buffer) => {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) break;
      const lineBytes = pendingBytes + nl - start;
      if (discarding) {
        discarding = false;
      } else if (lineBytes > maxLineBytes) {
        // The limit holds however the line arrives: whole in one chunk, or in pieces.
        sink.onLineTooLong(lineBytes);
      } else if (pendingBytes === 0) {
        emitLine(chunk.subarray(start, nl));
      } else {
        pending.push(chunk.subarray(start, nl));
        emitLine(Buffer.concat(pending, lineBytes));
      }
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
    }
    if (start < chunk.length && !discarding) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLineBytes) {
        sink.onLineTooLong(pendingBytes);
        pending = [];
        pendingBytes = 0;
        discarding = true;
      }
    }
  };

  let closed = false;
  const onEnd = () => {
    if (closed) return;
    closed = true;
    sink.onClose();
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('close', onEnd);
  stream.on('error', onEnd);
  return () => {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('close', onEnd);
    stream.off('error', onEnd);
  };
}
