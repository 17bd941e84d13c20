/**
 * `checkConformance`: runs the sidecar twice, as main would start it. The first run exercises the
 * protocol (framing, malformed input, built-ins, the manifest's examples, cancellation, an
 * over-long line) and ends with stdin EOF (the orphan rule); the second ends with `$/shutdown`.
 * Both watch the process table for the children rule. The report has one line per rule.
 */
import * as path from 'node:path';
import type { SidecarManifest } from '../manifest';
import { DEFAULT_MAX_LINE_BYTES } from '../../core/transport/reader';
import { Rules, type ConformanceOptions, type ConformanceReport, type RuleResult } from './contract';
import * as P from './checks-protocol';
import { judgeCancel, judgeMethods, judgeStreams, methodsOf, sendCancel, sendExamples, type CancelTarget, type MethodUnderTest, type Sent } from './checks-methods';
import { endByEof, endByShutdown, judgeChildren, judgeIds, judgeStdout, judgeUnrequested, type ChildrenSeen } from './checks-lifecycle';
import { Wire } from './wire';

type Settings = P.CheckContext & { exitWithinMs: number };

/**
 * Loads a manifest named `<module>#<export>` (module path relative to `cwd`). Without `#export`,
 * the module's one export that looks like a manifest is taken.
 */
export function loadManifest(spec: string, cwd = process.cwd()): SidecarManifest<any> {
  const hash = spec.lastIndexOf('#');
  const file = hash === -1 ? spec : spec.slice(0, hash);
  const name = hash === -1 ? undefined : spec.slice(hash + 1);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.resolve(cwd, file)) as Record<string, unknown>;
  const looksLike = (v: unknown): v is SidecarManifest<any> =>
    v !== null && typeof v === 'object' && typeof (v as SidecarManifest).name === 'string' && typeof (v as SidecarManifest).methods === 'object';
  if (name !== undefined) {
    if (!looksLike(mod[name])) throw new Error(`${file} has no manifest export named ${JSON.stringify(name)}`);
    return mod[name];
  }
  const found = Object.values(mod).filter(looksLike);
  if (found.length !== 1) throw new Error(`${file} exports ${found.length} manifests; name one as ${file}#<export>`);
  return found[0];
}

/** The first run: everything but `$/shutdown`, ending with stdin EOF. */
async function protocolRun(
  wire: Wire,
  cx: Settings,
  methods: MethodUnderTest[],
): Promise<{ rules: RuleResult[]; sent: Sent[]; cancel?: CancelTarget; children: ChildrenSeen }> {
  const ping = await P.checkPing(wire, cx);
  const rules = [ping.rule];
  let sent: Sent[] = [];
  let cancel: CancelTarget | undefined;
  if (ping.alive) {
    rules.push(await P.checkCrlf(wire, cx));
    rules.push(await P.checkParseError(wire, cx));
    rules.push(await P.checkInvalidRequest(wire, cx));
    rules.push(await P.checkUnknownMethod(wire, cx));
    rules.push(await P.checkDescribe(wire, cx, methods.map((m) => m.name)));
    rules.push(await P.checkCancelUnknown(wire, cx));
    rules.push(await P.checkConcurrent(wire, cx));
    sent = await sendExamples(wire, cx, methods);
    cancel = await sendCancel(wire, cx, methods);
    rules.push(await P.checkLongLine(wire, cx));
  } else {
    const why = 'not checked: no answer to the first $/ping';
    for (const spec of [Rules.crlf, Rules.parseError, Rules.invalidRequest, Rules.unknownMethod, Rules.describe, Rules.cancelUnknown, Rules.concurrent, Rules.longLine]) {
      rules.push(P.skipped(spec, why));
    }
  }
  const end = await endByEof(wire, cx);
  rules.push(end.rule);
  return { rules, sent, cancel, children: end.children };
}

/** The second run: a ping, then `$/shutdown` with stdin still open. */
async function shutdownRun(wire: Wire, cx: Settings): Promise<{ rule: RuleResult; children: ChildrenSeen }> {
  const ping = await wire.call('$/ping', {}, cx.timeoutMs, 'ping');
  if (!ping) return { rule: P.skipped(Rules.shutdown, 'not checked: no answer to the first $/ping'), children: { how: '$/shutdown', seen: 0, readable: true } };
  return endByShutdown(wire, cx);
}

/** Runs every check against `command` (argv, no shell) and returns the report. */
export async function checkConformance(command: string[], options: ConformanceOptions = {}): Promise<ConformanceReport> {
  if (command.length === 0) throw new Error('checkConformance needs a command to run');
  const started = Date.now();
  const manifest = typeof options.manifest === 'string' ? loadManifest(options.manifest, options.cwd) : options.manifest;
  const methods = methodsOf(manifest);
  const cx: Settings = {
    timeoutMs: options.timeoutMs ?? 10_000,
    exitWithinMs: options.exitWithinMs ?? 1_000,
    maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
  };
  const start = () => new Wire(command, { cwd: options.cwd, env: options.env, onStderr: options.onStderr });

  const first = start();
  let a;
  try {
    a = await protocolRun(first, cx, methods);
  } finally {
    await first.dispose();
  }
  const second = start();
  let b;
  try {
    b = await shutdownRun(second, cx);
  } finally {
    await second.dispose();
  }

  const wires = [first, second];
  const [ping, ...protocol] = a.rules;
  const orphan = protocol.pop()!;
  const rules: RuleResult[] = [
    judgeStdout(wires),
    ping,
    ...protocol,
    judgeIds(wires, new Set(a.cancel ? [a.cancel.id] : [])),
    judgeUnrequested(wires),
    ...(manifest ? [...judgeMethods(first, methods, a.sent), ...judgeStreams(first, methods, a.sent)] : []),
    judgeCancel(first, a.cancel),
    orphan,
    b.rule,
    judgeChildren([a.children, b.children], cx.exitWithinMs),
  ];
  if (!manifest) rules.splice(rules.indexOf(orphan) - 1, 0, { id: 'methods', section: 'Messages', level: 'MUST', status: 'skip', title: "the manifest's methods", detail: 'no manifest given: methods not exercised' });
  return { command, ok: rules.every((r) => r.status !== 'fail'), platform: process.platform, rules, durationMs: Date.now() - started };
}
