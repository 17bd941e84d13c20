/**
 * Types of the Node protocol kit (`skaffa-sidecars/node-protocol`, implemented in index.js next
 * to this file): what a sidecar written in Node gets to frame NDJSON on stdio, answer the
 * built-ins and run its handlers with cancellation. See docs/protocol.md for the wire contract.
 */

/** Default limit of one input line: 64 MiB, as in the Rust crate. */
export declare const DEFAULT_MAX_LINE_BYTES: number;

/** An error a handler throws to answer with a specific wire code (e.g. `INVALID_PARAMS`). */
export declare class MethodError extends Error {
  constructor(code: string, message: string, data?: unknown);
  readonly code: string;
  readonly data: unknown;
}

/** What a handler gets besides its params. */
export interface HandlerContext {
  /** The request id. */
  id: string;
  /** Aborted when main sends `$/cancel` for this request. */
  signal: AbortSignal;
  /** Sends an event line `{event, data}` to main. */
  emit(event: string, data: unknown): void;
}

/** A method handler: returns the result (or a promise of it); throw `MethodError` to fail. */
export type Handler = (params: any, ctx: HandlerContext) => unknown;

/** A sidecar being set up: register methods, then `serve()`. */
export interface NodeSidecar {
  /** Registers `name`; `validate(params)` returns an error message (answered `INVALID_PARAMS`) or null. */
  method(name: string, handler: Handler, validate?: (params: any) => string | null): NodeSidecar;
  /** Sends an event line to main. */
  emit(event: string, data: unknown): void;
  /** Starts reading requests; exits when the input closes (the orphan rule). */
  serve(): void;
}

/** Options of `createSidecar`; input/output/exit default to the process's stdio and `process.exit`. */
export interface SidecarOptions {
  name: string;
  version: string;
  maxLineBytes?: number;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  exit?: (code: number) => void;
  /** Take down every process this sidecar started before exiting (default: true when serving the real stdin). */
  containChildren?: boolean;
}

/** Creates a sidecar that speaks the Skaffa protocol on stdio. */
export declare function createSidecar(options: SidecarOptions): NodeSidecar;
