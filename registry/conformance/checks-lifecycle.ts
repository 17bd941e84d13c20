/**
 * How a run ends, and the rules judged on a whole run's record. The orphan rule: stdin EOF makes
 * the sidecar exit within the bound. `$/shutdown`: answered `{}`, then exit code 0. The children
 * rule: every process seen under the sidecar while it ran is gone soon after it exits. The record
 * rules: nothing but protocol lines on stdout, every answer for an id that was sent and at most
 * one per request, and no chunk for a request that did not ask to stream.
 */
import { Rules, type RuleResult } from './contract';
import { describeAnswer, skipped, verdict, type CheckContext } from './checks-protocol';
import { processTableLimits, type ProcessRow } from './process-table';
import type { Wire } from './wire';

/** What one run says about the children rule. */
export interface ChildrenSeen {
  /** How the run ended, e.g. "stdin EOF". */
  how: string;
  /** Undefined when the sidecar did not exit by itself (it was killed: nothing to judge). */
  survivors?: ProcessRow[];
  seen: number;
  readable: boolean;
}

/** Closes stdin and judges the orphan rule; `children` is filled in when it exited by itself. */
export async function endByEof(wire: Wire, cx: CheckContext & { exitWithinMs: number }): Promise<{ rule: RuleResult; children: ChildrenSeen }> {
  if (wire.exit) {
    const rule = skipped(Rules.orphan, `it had already exited (code ${wire.exit.code}, signal ${wire.exit.signal}) before stdin was closed`);
    return { rule, children: { how: 'stdin EOF', seen: wire.watcher?.seen.size ?? 0, readable: wire.watcher?.readable ?? false } };
  }
  await wire.endInput();
  // Wait past the bound so a late exit can be reported as late rather than as "never".
  const exit = await wire.exitWithin(cx.exitWithinMs + 2_000);
  const children = await afterExit(wire, 'stdin EOF', exit !== undefined, cx.exitWithinMs);
  if (!exit) return { rule: verdict(Rules.orphan, false, `still running ${(cx.exitWithinMs + 2_000) / 1000} s after stdin EOF`), children };
  const ms = exit.afterEofMs ?? 0;
  return { rule: verdict(Rules.orphan, ms <= cx.exitWithinMs, `exited ${ms} ms after stdin EOF (bound ${cx.exitWithinMs} ms), code ${exit.code}`), children };
}

/** Sends `$/shutdown` (stdin stays open) and judges the answer and the exit code. */
export async function endByShutdown(wire: Wire, cx: CheckContext & { exitWithinMs: number }): Promise<{ rule: RuleResult; children: ChildrenSeen }> {
  await wire.watcher?.poll();
  const answer = await wire.call('$/shutdown', {}, cx.timeoutMs, 'shutdown');
  // Main waits 2 s after $/shutdown before it sends SIGTERM (docs/protocol.md, Lifecycle).
  const exit = await wire.exitWithin(2_000);
  const children = await afterExit(wire, '$/shutdown', exit !== undefined, cx.exitWithinMs);
  const problems: string[] = [];
  if (answer?.msg.ok !== true || JSON.stringify(answer.msg.result) !== '{}') problems.push(`answered ${describeAnswer(answer)}`);
  if (!exit) problems.push('still running 2 s later (main would SIGTERM it)');
  else if (exit.code !== 0) problems.push(`exited with code ${exit.code}${exit.signal ? ` (signal ${exit.signal})` : ''}`);
  return { rule: verdict(Rules.shutdown, problems.length === 0, problems.length ? problems.join('; ') : 'answered {} and exited with code 0'), children };
}

/** After the exit: waits up to `withinMs` for every process seen under the sidecar to be gone. */
async function afterExit(wire: Wire, how: string, exitedByItself: boolean, withinMs: number): Promise<ChildrenSeen> {
  const watcher = wire.watcher;
  const base = { how, seen: watcher?.seen.size ?? 0, readable: watcher?.readable ?? false };
  if (!exitedByItself || !watcher) return base;
  const deadline = Date.now() + withinMs;
  for (;;) {
    const survivors = await watcher.survivors();
    if (survivors.length === 0 || Date.now() >= deadline) return { ...base, survivors };
    await new Promise((r) => setTimeout(r, 50)); // poll again: a killed child takes a moment to be reaped
  }
}

/** `transport.children` over every run that ended by itself. */
export function judgeChildren(runs: ChildrenSeen[], withinMs: number): RuleResult {
  if (runs.every((r) => !r.readable)) return skipped(Rules.children, `not checked: the process table cannot be read on ${process.platform}`);
  const judged = runs.filter((r) => r.survivors !== undefined);
  if (judged.length === 0) return skipped(Rules.children, 'not checked: the sidecar never exited by itself');
  const left = judged.filter((r) => r.survivors!.length > 0);
  const notes = runs.filter((r) => r.survivors === undefined).map((r) => `${r.how}: not checked (it did not exit by itself)`);
  const limits = `; not seen: ${processTableLimits()}`;
  if (left.length > 0) {
    const list = left.map((r) => `after ${r.how}, ${r.survivors!.length} still running: ${r.survivors!.map((p) => `${p.pid} ${JSON.stringify(p.command.slice(0, 60))}`).join(', ')}`);
    return verdict(Rules.children, false, [...list, ...notes].join('; '));
  }
  const summary = judged.map((r) => `${r.how}: ${r.seen === 0 ? 'started no process' : `${r.seen} started, all gone within ${withinMs} ms of its exit`}`);
  return verdict(Rules.children, true, [...summary, ...notes].join('; ') + limits);
}

/** `transport.stdout` over every run. */
export function judgeStdout(wires: Wire[]): RuleResult {
  const strays = wires.flatMap((w) => w.strays);
  if (strays.length === 0) return verdict(Rules.stdout, true, 'every stdout line was a response, a partial answer or an event');
  return verdict(Rules.stdout, false, `${strays.length} other line(s), e.g. ${strays.slice(0, 3).join(', ')}`);
}

/** `messages.ids` over every run; the ids in `exempt` (the cancelled request) are judged by `cancel.once`. */
export function judgeIds(wires: Wire[], exempt: Set<string>): RuleResult {
  const problems: string[] = [];
  for (const wire of wires) {
    for (const [id, record] of wire.byId) {
      if (!wire.sent.has(id)) problems.push(`an answer for ${JSON.stringify(id)}, which was never sent`);
      else if (!exempt.has(id) && record.filter((s) => s.kind === 'final').length > 1) problems.push(`${JSON.stringify(id)} answered more than once`);
    }
  }
  const answered = wires.reduce((n, w) => n + [...w.byId.keys()].filter((id) => w.sent.has(id)).length, 0);
  return verdict(Rules.ids, problems.length === 0, problems.length ? problems.slice(0, 3).join('; ') : `${answered} answers, each to its own request's id, once`);
}

/** `streams.unrequested` over every run. */
export function judgeUnrequested(wires: Wire[]): RuleResult {
  const bad = wires.flatMap((w) =>
    [...w.byId].filter(([id, record]) => w.sent.get(id)?.stream === false && record.some((s) => s.kind === 'partial')).map(([id]) => `${w.sent.get(id)!.method} (${id})`),
  );
  return verdict(Rules.unrequested, bad.length === 0, bad.length ? `partial answers to ${bad.slice(0, 3).join(', ')}` : 'none seen');
}
