/**
 * The contract of the conformance checker (`skaffa-sidecars/conformance`): which rules of
 * docs/protocol.md it checks, each with the section it comes from and its RFC 2119 level, what a
 * report looks like, and the options of a run. The implementation lives next to this file; apps,
 * the CLI and test helpers depend only on these types and the functions `index.ts` exports.
 */
import type { SidecarManifest } from '../manifest';

/** MUST rules decide the verdict; SHOULD rules only warn. */
export type RuleLevel = 'MUST' | 'SHOULD';

/** `warn`: a SHOULD not met, or a MUST that could not be exercised (e.g. a method without examples). */
export type RuleStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** One checked rule: one line of the report. */
export interface RuleResult {
  /** Stable id, e.g. `transport.children`, `methods/workspace/glob`. */
  id: string;
  /** The heading of docs/protocol.md the rule comes from, exactly as written there. */
  section: string;
  level: RuleLevel;
  status: RuleStatus;
  /** The rule in a few words. */
  title: string;
  /** What was seen: why it passed, failed or was not checked. */
  detail: string;
}

/** The outcome of a run. `ok` is true when no rule failed (warnings and skips do not count). */
export interface ConformanceReport {
  command: string[];
  ok: boolean;
  platform: NodeJS.Platform;
  rules: RuleResult[];
  durationMs: number;
}

/** How to run the check. */
export interface ConformanceOptions {
  /**
   * The sidecar's manifest, as an object or as `<module>#<export>` (a module path relative to
   * `cwd`, e.g. `dist/sidecars/workspace/manifest.js#workspaceManifest`). With it, every method's
   * params `examples` are sent and the answers validated; without it only the protocol is checked.
   */
  manifest?: SidecarManifest<any> | string;
  /** Working directory of the sidecar (default: the current one). */
  cwd?: string;
  /** Environment of the sidecar (default: this process's). */
  env?: Record<string, string | undefined>;
  /** How long to wait for any one answer before calling it missing, in ms (default 10 000, the protocol's hung-ping limit). */
  timeoutMs?: number;
  /** How soon the sidecar must exit after stdin EOF, and its children after it, in ms (default 1 000). */
  exitWithinMs?: number;
  /** The sidecar's input line limit; a line one byte longer is sent (default 64 MiB; 0 skips that check). */
  maxLineBytes?: number;
  /** Receives each line the sidecar writes to stderr (default: dropped). */
  onStderr?: (line: string) => void;
}

/** The heading of docs/protocol.md each rule cites (checked against the document by the tests). */
export const Sections = {
  transport: 'Transport',
  response: 'Response (sidecar → main), exactly one per request',
  partial: 'Partial answer (sidecar → main), only for a request that asked to stream',
  builtins: 'Built-in methods (every sidecar answers them)',
  malformed: 'Malformed input',
  streamed: 'Streamed answers',
  lifecycle: 'Lifecycle, as main runs it',
  containment: 'Containment',
} as const;

/** The fixed rules, in report order (per-method rules `methods/<m>` and `streams/<m>` come on top). */
export const Rules = {
  stdout: { id: 'transport.stdout', section: Sections.transport, level: 'MUST', title: 'nothing but protocol lines on stdout' },
  crlf: { id: 'transport.crlf', section: Sections.transport, level: 'MUST', title: 'a request ending in \\r\\n is understood' },
  longLine: { id: 'transport.long-line', section: Sections.transport, level: 'SHOULD', title: 'an over-long input line is answered with an error' },
  ping: { id: 'builtin.ping', section: Sections.builtins, level: 'MUST', title: '$/ping answers {}' },
  describe: { id: 'builtin.describe', section: Sections.builtins, level: 'SHOULD', title: '$/describe answers {name, version, methods}' },
  cancelUnknown: { id: 'builtin.cancel-unknown', section: Sections.builtins, level: 'MUST', title: '$/cancel of an unknown id answers {}' },
  parseError: { id: 'malformed.parse-error', section: Sections.malformed, level: 'MUST', title: 'a non-JSON line is answered PARSE_ERROR with id null' },
  invalidRequest: { id: 'malformed.invalid-request', section: Sections.malformed, level: 'MUST', title: 'JSON that is not a request is answered INVALID_REQUEST' },
  unknownMethod: { id: 'malformed.unknown-method', section: Sections.malformed, level: 'MUST', title: 'an unknown method is answered METHOD_NOT_FOUND' },
  ids: { id: 'messages.ids', section: Sections.response, level: 'MUST', title: "responses echo their request's id, exactly one per request" },
  concurrent: { id: 'messages.concurrent', section: Sections.response, level: 'MUST', title: 'concurrent requests are all answered, in any order' },
  unrequested: { id: 'streams.unrequested', section: Sections.partial, level: 'MUST', title: 'no partial answer for a request that did not ask to stream' },
  cancel: { id: 'cancel.once', section: Sections.builtins, level: 'MUST', title: 'a cancelled request answers CANCELLED or its result, never both, never nothing' },
  shutdown: { id: 'builtin.shutdown', section: Sections.builtins, level: 'MUST', title: '$/shutdown answers {} and exits with code 0' },
  orphan: { id: 'transport.orphan', section: Sections.transport, level: 'MUST', title: 'exits by itself when stdin reaches EOF (orphan rule)' },
  children: { id: 'transport.children', section: Sections.transport, level: 'MUST', title: 'no process it started outlives it (children rule)' },
} as const satisfies Record<string, Omit<RuleResult, 'status' | 'detail'>>;

/** A rule's fixed part: everything but the outcome. */
export type RuleSpec = Omit<RuleResult, 'status' | 'detail'>;
