/**
 * The checks that need no manifest: framing (CRLF, over-long lines), malformed input, the
 * built-ins, unknown methods and concurrent requests. Each sends its own requests, waits for their
 * answers and turns what it saw into one rule line; the rules judged on the whole record
 * (stdout, ids, unrequested partials) are computed in `verdicts.ts` once the run is over.
 */
import { Rules, type RuleResult, type RuleSpec } from './contract';
import { codeOf, short, type Seen, type Wire } from './wire';

/** Settings every check reads. */
export interface CheckContext {
  timeoutMs: number;
  maxLineBytes: number;
}

/** A rule's line: `ok` passes; otherwise a MUST fails and a SHOULD warns. */
export function verdict(spec: RuleSpec, ok: boolean, detail: string): RuleResult {
  return { ...spec, status: ok ? 'pass' : spec.level === 'MUST' ? 'fail' : 'warn', detail };
}

/** A rule's line when it could not be exercised. */
export function skipped(spec: RuleSpec, detail: string): RuleResult {
  return { ...spec, status: 'skip', detail };
}

/** How an answer reads in a report. */
export function describeAnswer(seen: Seen | undefined): string {
  if (!seen) return 'no answer';
  const code = codeOf(seen);
  return code ? `error ${code}` : `result ${short(JSON.stringify(seen.msg.result), 60)}`;
}

const isEmptyResult = (s: Seen | undefined) => s?.msg.ok === true && JSON.stringify(s.msg.result) === '{}';

/** `$/ping` answers `{}`; the first one is also the handshake. */
export async function checkPing(wire: Wire, cx: CheckContext): Promise<{ rule: RuleResult; alive: boolean }> {
  const answer = await wire.call('$/ping', {}, cx.timeoutMs, 'ping');
  const why = wire.spawnError ? `could not start: ${wire.spawnError.message}` : describeAnswer(answer);
  return { rule: verdict(Rules.ping, isEmptyResult(answer), `answered ${why}`), alive: answer !== undefined };
}

/** A request line ending in `\r\n` is understood. */
export async function checkCrlf(wire: Wire, cx: CheckContext): Promise<RuleResult> {
  const id = wire.id('crlf');
  await wire.write(wire.line(id, '$/ping').replace(/\n$/, '\r\n'));
  const answer = await wire.final(id, cx.timeoutMs);
  return verdict(Rules.crlf, isEmptyResult(answer), `$/ping ending in \\r\\n: ${describeAnswer(answer)}`);
}

/** Sends one garbage line and waits for the null-id error it must cause. */
async function garbage(wire: Wire, cx: CheckContext, text: string): Promise<Seen | undefined> {
  const n = wire.nullErrors.length;
  await wire.write(text);
  return wire.nullError(n, cx.timeoutMs);
}

/** Not JSON: `PARSE_ERROR` with id null, and the sidecar keeps serving. */
export async function checkParseError(wire: Wire, cx: CheckContext): Promise<RuleResult> {
  const problems: string[] = [];
  for (const text of ['this is not json\n', '{"id": "cut", "method": \n']) {
    const answer = await garbage(wire, cx, text);
    if (codeOf(answer) !== 'PARSE_ERROR') problems.push(`${short(text.trim())}: ${describeAnswer(answer)}`);
  }
  const ping = await wire.call('$/ping', {}, cx.timeoutMs, 'after-garbage');
  if (!ping) problems.push('no answer to $/ping afterwards');
  return verdict(Rules.parseError, problems.length === 0, problems.length ? problems.join('; ') : '2 bad lines answered PARSE_ERROR, then $/ping answered');
}

/** JSON that is not a request: `INVALID_REQUEST`, with the request's string id when it has one. */
export async function checkInvalidRequest(wire: Wire, cx: CheckContext): Promise<RuleResult> {
  const problems: string[] = [];
  const withoutId = ['[1, 2, 3]', '"a string"', '{"id": 7, "method": "$/ping", "params": {}}', '{"method": "$/ping", "params": {}}'];
  for (const text of withoutId) {
    const answer = await garbage(wire, cx, `${text}\n`);
    if (codeOf(answer) !== 'INVALID_REQUEST') problems.push(`${text}: ${describeAnswer(answer)}`);
  }
  const withId: Array<[string, (id: string) => string]> = [
    ['no method', (id) => JSON.stringify({ id, params: {} })],
    ['params an array', (id) => JSON.stringify({ id, method: '$/ping', params: [1] })],
    ['method not a string', (id) => JSON.stringify({ id, method: 42, params: {} })],
    ['stream not a boolean', (id) => JSON.stringify({ id, method: '$/ping', params: {}, stream: 'yes' })],
  ];
  for (const [what, make] of withId) {
    const id = wire.id('invalid');
    wire.sent.set(id, { method: '(invalid request)', stream: false });
    await wire.write(`${make(id)}\n`);
    const answer = await wire.final(id, cx.timeoutMs);
    if (codeOf(answer) !== 'INVALID_REQUEST') problems.push(`${what}: ${describeAnswer(answer)}`);
  }
  const ok = problems.length === 0;
  return verdict(Rules.invalidRequest, ok, ok ? `${withoutId.length + withId.length} non-requests answered INVALID_REQUEST (string ids echoed)` : problems.join('; '));
}

/** An unknown method (namespaced or `$/`) is answered `METHOD_NOT_FOUND` with the request's id. */
export async function checkUnknownMethod(wire: Wire, cx: CheckContext): Promise<RuleResult> {
  const problems: string[] = [];
  for (const method of ['conformance/noSuchMethod', '$/noSuchBuiltin']) {
    const answer = await wire.call(method, {}, cx.timeoutMs, 'unknown');
    if (codeOf(answer) !== 'METHOD_NOT_FOUND') problems.push(`${method}: ${describeAnswer(answer)}`);
  }
  return verdict(Rules.unknownMethod, problems.length === 0, problems.length ? problems.join('; ') : 'answered METHOD_NOT_FOUND');
}

/** `$/describe`, where present: `{name, version, methods: [string], streams?: [string]}` naming the manifest's methods. */
export async function checkDescribe(wire: Wire, cx: CheckContext, manifestMethods: string[]): Promise<RuleResult> {
  const answer = await wire.call('$/describe', {}, cx.timeoutMs, 'describe');
  if (codeOf(answer) === 'METHOD_NOT_FOUND') return verdict(Rules.describe, false, 'not present (METHOD_NOT_FOUND)');
  const r = answer?.msg.result as Record<string, unknown> | undefined;
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!r || typeof r.name !== 'string' || typeof r.version !== 'string' || !strings(r.methods) || (r.streams !== undefined && !strings(r.streams))) {
    return verdict(Rules.describe, false, `answered ${describeAnswer(answer)}`);
  }
  const missing = manifestMethods.filter((m) => !(r.methods as string[]).includes(m));
  if (missing.length > 0) return verdict(Rules.describe, false, `the manifest's ${missing.join(', ')} not among its methods`);
  return verdict(Rules.describe, true, `${r.name} ${r.version}, ${(r.methods as string[]).length} methods`);
}

/** `$/cancel` of an id that was never sent answers `{}` (not an error). */
export async function checkCancelUnknown(wire: Wire, cx: CheckContext): Promise<RuleResult> {
  const answer = await wire.call('$/cancel', { id: 'conformance-never-sent' }, cx.timeoutMs, 'cancel-unknown');
  return verdict(Rules.cancelUnknown, isEmptyResult(answer), `answered ${describeAnswer(answer)}`);
}

/** Several requests in one write: every one is answered, matched by id whatever the order. */
export async function checkConcurrent(wire: Wire, cx: CheckContext): Promise<RuleResult> {
  const ids = Array.from({ length: 8 }, () => wire.id('concurrent'));
  await wire.write(ids.map((id, i) => wire.line(id, i % 4 === 3 ? '$/cancel' : '$/ping', i % 4 === 3 ? { id: ids[0] } : {})).join(''));
  const answers = await Promise.all(ids.map((id) => wire.final(id, cx.timeoutMs)));
  const missing = ids.filter((_, i) => !answers[i]);
  const order = answers.filter((a): a is Seen => a !== undefined).map((a) => ids.indexOf(a.msg.id as string));
  const inOrder = order.every((v, i) => i === 0 || v > order[i - 1]);
  if (missing.length > 0) return verdict(Rules.concurrent, false, `${missing.length} of ${ids.length} requests sent together got no answer`);
  return verdict(Rules.concurrent, true, `${ids.length} requests sent in one write, all answered (${inOrder ? 'in order' : 'out of order'})`);
}

/** A line one byte over the sidecar's limit is answered with an error (id null) and the sidecar keeps serving. */
export async function checkLongLine(wire: Wire, cx: CheckContext): Promise<RuleResult> {
  if (cx.maxLineBytes <= 0) return skipped(Rules.longLine, 'not checked (maxLineBytes 0)');
  const n = wire.nullErrors.length;
  const line = Buffer.alloc(cx.maxLineBytes + 2, 'x'.charCodeAt(0));
  line[line.length - 1] = 10; // "xxx…x\n": one byte over the limit, then the newline
  await wire.write(line);
  const error = await wire.nullError(n, cx.timeoutMs);
  const ping = await wire.call('$/ping', {}, cx.timeoutMs, 'after-long-line');
  if (!ping) return verdict(Rules.longLine, false, `stopped answering after a line of ${line.length - 1} bytes`);
  const ok = error !== undefined;
  return verdict(Rules.longLine, ok, `a line of ${line.length - 1} bytes: ${ok ? describeAnswer(error) : 'no error answer'}, then $/ping answered`);
}
