/**
 * The wire contract every sidecar speaks, as TypeScript types: one JSON object per line on the
 * child's stdin/stdout, requests answered by responses with the same string id, and unsolicited
 * events; a request that asks to stream may first get partial answers (chunks). The normative
 * description lives in docs/protocol.md; this file is its machine form and the one place that
 * classifies a parsed line, so the reader, the connection and tests agree.
 */

/** A request from main to a sidecar. */
export interface RequestMessage {
  id: string;
  method: string;
  params: Record<string, unknown>;
  /** Asks for partial answers before the final one; a sidecar may ignore it. */
  stream?: true;
}

/** The error object of a failed response. */
export interface WireError {
  code: string;
  message: string;
  data?: unknown;
}

/** A successful response. */
export interface SuccessResponse {
  id: string | null;
  ok: true;
  result: unknown;
}

/** A failed response. `id` is null when the sidecar could not read the request's id. */
export interface ErrorResponse {
  id: string | null;
  ok: false;
  error: WireError;
}

export type ResponseMessage = SuccessResponse | ErrorResponse;

/** One chunk of a streamed request: zero or more come before the request's one final response. */
export interface PartialMessage {
  id: string;
  ok: true;
  partial: unknown;
}

/** An unsolicited message from a sidecar to main. */
export interface EventMessage {
  event: string;
  data: unknown;
}

/** Methods every sidecar answers, whatever its manifest says. */
export const BuiltinMethods = {
  ping: '$/ping',
  cancel: '$/cancel',
  shutdown: '$/shutdown',
  describe: '$/describe',
} as const;

/** The result of `$/describe`. */
export interface DescribeResult {
  name: string;
  version: string;
  methods: string[];
  /** The methods that honour `"stream": true` (absent: none does). */
  streams?: string[];
}

// The error codes are part of the protocol; they live in one list with main's own (see error-codes.ts).
export * from './error-codes';

/** What one line from a sidecar's stdout turned out to be. */
export type IncomingMessage =
  | { kind: 'response'; message: ResponseMessage }
  | { kind: 'partial'; message: PartialMessage }
  | { kind: 'event'; message: EventMessage }
  | { kind: 'invalid'; reason: string };

/**
 * Classifies an already-parsed JSON value from a sidecar. Anything that is not a well-formed
 * response, partial answer or event is `invalid`, with a reason a person can read in a log.
 */
export function classifyIncoming(value: unknown): IncomingMessage {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'invalid', reason: 'message is not a JSON object' };
  }
  const v = value as Record<string, unknown>;
  if (typeof v.event === 'string') {
    return { kind: 'event', message: { event: v.event, data: v.data } };
  }
  if (!('id' in v) || (v.id !== null && typeof v.id !== 'string')) {
    return { kind: 'invalid', reason: 'response has no string id' };
  }
  if (v.ok === true && 'partial' in v) {
    if ('result' in v) return { kind: 'invalid', reason: 'a message carries both "partial" and "result"' };
    if (typeof v.id !== 'string') return { kind: 'invalid', reason: 'a partial answer has no string id' };
    return { kind: 'partial', message: { id: v.id, ok: true, partial: v.partial } };
  }
  if (v.ok === true) {
    return { kind: 'response', message: { id: v.id as string | null, ok: true, result: v.result } };
  }
  if (v.ok === false) {
    const e = v.error as Record<string, unknown> | undefined;
    if (!e || typeof e !== 'object' || typeof e.code !== 'string') {
      return { kind: 'invalid', reason: 'error response without a string error.code' };
    }
    const error: WireError = { code: e.code, message: typeof e.message === 'string' ? e.message : '' };
    if ('data' in e) error.data = e.data;
    return { kind: 'response', message: { id: v.id as string | null, ok: false, error } };
  }
  return { kind: 'invalid', reason: 'response has no boolean "ok"' };
}
