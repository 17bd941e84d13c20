/**
 * The checks driven by the manifest: every method's params `examples` are sent (once plain, and
 * once with `"stream": true` for a method with a partial schema), and the answers validated with
 * the project's `AjvSchemaValidator` against the method's result and partial schemas; plus the
 * cancellation check, which needs a real method to cancel. Sending happens during the run; the
 * verdicts are computed from the full record afterwards (`judge…`), so a chunk or a second answer
 * that arrives late still counts.
 */
import type { MethodSpec, SidecarManifest } from '../manifest';
import { formatIssues, type CompiledValidator } from '../validation/contract';
import { AjvSchemaValidator } from '../validation/ajv-validator';
import { Rules, Sections, type RuleResult } from './contract';
import { verdict, type CheckContext } from './checks-protocol';
import { codeOf, type Seen, type Wire } from './wire';

/** One method of the manifest with its compiled schemas and examples. */
export interface MethodUnderTest {
  name: string;
  spec: MethodSpec<any, any>;
  examples: unknown[];
  params: CompiledValidator;
  result: CompiledValidator;
  partial?: CompiledValidator;
}

/** One example sent: judged once the run is over. */
export interface Sent {
  method: MethodUnderTest;
  example: number;
  id: string;
  stream: boolean;
}

/** Compiles the manifest's schemas (a schema that does not compile throws, naming it). */
export function methodsOf(manifest: SidecarManifest<any> | undefined): MethodUnderTest[] {
  if (!manifest) return [];
  const ajv = new AjvSchemaValidator();
  return Object.entries(manifest.methods as Record<string, MethodSpec<any, any>>).map(([name, spec]) => ({
    name,
    spec,
    examples: Array.isArray(spec.params.examples) ? spec.params.examples : [],
    params: ajv.compile(spec.params, `${name} params`),
    result: ajv.compile(spec.result, `${name} result`),
    partial: spec.partial ? ajv.compile(spec.partial, `${name} partial`) : undefined,
  }));
}

/** Sends every example of every method, one at a time, plain and (for streamed methods) streamed. */
export async function sendExamples(wire: Wire, cx: CheckContext, methods: MethodUnderTest[]): Promise<Sent[]> {
  const sent: Sent[] = [];
  for (const method of methods) {
    const timeout = Math.max(method.spec.timeoutMs ?? 0, cx.timeoutMs);
    for (const stream of method.partial ? [false, true] : [false]) {
      for (let i = 0; i < method.examples.length; i++) {
        if (method.params(method.examples[i]).length > 0) continue; // judged without sending
        const id = wire.id(stream ? 'stream' : 'example');
        await wire.write(wire.line(id, method.name, method.examples[i], stream));
        sent.push({ method, example: i, id, stream });
        await wire.final(id, timeout);
      }
    }
  }
  return sent;
}

/** What is wrong with one final answer to an example, or undefined. */
function finalProblem(method: MethodUnderTest, answer: Seen | undefined): string | undefined {
  if (!answer) return 'no answer';
  const code = codeOf(answer);
  if (code === undefined) {
    const issues = method.result(answer.msg.result);
    return issues.length > 0 ? `result breaks the result schema: ${formatIssues(issues)}` : undefined;
  }
  // An error answer is a valid answer (an example may name a file the test folder lacks), except
  // one saying the manifest's own method does not exist or that schema-valid params are invalid.
  if (code === 'METHOD_NOT_FOUND' || code === 'INVALID_PARAMS') return `answered ${code} to params that match the params schema`;
  return undefined;
}

/** One `methods/<name>` line per method: examples valid, answered, results matching the result schema. */
export function judgeMethods(wire: Wire, methods: MethodUnderTest[], sent: Sent[]): RuleResult[] {
  return methods.map((method) => {
    const spec = { id: `methods/${method.name}`, section: Sections.response, level: 'MUST' as const, title: 'examples answered, results match the result schema' };
    if (method.examples.length === 0) return { ...spec, status: 'warn' as const, detail: 'no examples: not exercised' };
    const problems: string[] = [];
    method.examples.forEach((example, i) => {
      const issues = method.params(example);
      if (issues.length > 0) problems.push(`example ${i + 1} breaks the params schema: ${formatIssues(issues)}`);
    });
    const errors = new Set<string>();
    for (const s of sent.filter((x) => x.method === method && !x.stream)) {
      const answer = wire.byId.get(s.id)?.find((m) => m.kind === 'final');
      const problem = finalProblem(method, answer);
      if (problem) problems.push(`example ${s.example + 1}: ${problem}`);
      const code = codeOf(answer);
      if (code) errors.add(code);
    }
    const note = errors.size > 0 ? ` (error answers: ${[...errors].join(', ')})` : '';
    return verdict(spec, problems.length === 0, problems.length ? problems.join('; ') : `${method.examples.length} examples answered${note}`);
  });
}

/** The chunk rules for one streamed request's record; returns the problems. */
function chunkProblems(method: MethodUnderTest, record: Seen[]): string[] {
  const problems: string[] = [];
  const finals = record.filter((s) => s.kind === 'final');
  const finalAt = finals[0]?.index ?? Infinity;
  record.forEach((s, n) => {
    if (s.kind !== 'partial') return;
    if (s.mixed) problems.push(`chunk ${n + 1} carries both partial and result`);
    if (s.index > finalAt) problems.push(`chunk ${n + 1} came after the final response`);
    const issues = method.partial!(s.msg.partial);
    if (issues.length > 0) problems.push(`chunk ${n + 1} breaks the partial schema: ${formatIssues(issues)}`);
  });
  const problem = finalProblem(method, finals[0]);
  if (problem) problems.push(`final: ${problem}`);
  return problems;
}

/** One `streams/<name>` line per streamed method (partial schema in the manifest). */
export function judgeStreams(wire: Wire, methods: MethodUnderTest[], sent: Sent[]): RuleResult[] {
  return methods
    .filter((m) => m.partial)
    .map((method) => {
      const spec = { id: `streams/${method.name}`, section: Sections.streamed, level: 'MUST' as const, title: 'chunks match the partial schema, all before the one final response' };
      const runs = sent.filter((s) => s.method === method && s.stream);
      if (runs.length === 0) return { ...spec, status: 'warn' as const, detail: 'no examples: not exercised' };
      let chunks = 0;
      const problems: string[] = [];
      for (const s of runs) {
        const record = wire.byId.get(s.id) ?? [];
        chunks += record.filter((r) => r.kind === 'partial').length;
        for (const p of chunkProblems(method, record)) problems.push(`example ${s.example + 1}: ${p}`);
      }
      return verdict(spec, problems.length === 0, problems.length ? problems.join('; ') : `${runs.length} streamed requests, ${chunks} chunks, all valid`);
    });
}

/** The request `cancel.once` cancels: a streamed method's example if any, else any example, else a `$/ping`. */
export interface CancelTarget {
  id: string;
  what: string;
  cancelId: string;
}

/** Sends a request and its `$/cancel` in one write, and waits for both answers. */
export async function sendCancel(wire: Wire, cx: CheckContext, methods: MethodUnderTest[]): Promise<CancelTarget> {
  const valid = (m: MethodUnderTest) => m.examples.some((e) => m.params(e).length === 0);
  const method = methods.find((m) => m.partial && valid(m)) ?? methods.find(valid);
  const example = method?.examples.find((e) => method.params(e).length === 0);
  const id = wire.id('cancel-target');
  const cancelId = wire.id('cancel');
  const request = method ? wire.line(id, method.name, example, method.partial !== undefined) : wire.line(id, '$/ping');
  await wire.write(request + wire.line(cancelId, '$/cancel', { id }));
  const timeout = Math.max(method?.spec.timeoutMs ?? 0, cx.timeoutMs);
  await Promise.all([wire.final(id, timeout), wire.final(cancelId, cx.timeoutMs)]);
  return { id, cancelId, what: method ? `${method.name}${method.partial ? ' (streamed)' : ''}` : '$/ping (no method example to cancel)' };
}

/** `cancel.once`: exactly one final answer, CANCELLED or a result; no chunk after it; the cancel itself answered. */
export function judgeCancel(wire: Wire, target: CancelTarget | undefined): RuleResult {
  if (!target) return { ...Rules.cancel, status: 'skip', detail: 'not reached' };
  const record = wire.byId.get(target.id) ?? [];
  const finals = record.filter((s) => s.kind === 'final');
  const problems: string[] = [];
  if (finals.length === 0) problems.push('never answered');
  if (finals.length > 1) problems.push(`answered ${finals.length} times: ${finals.map((f) => codeOf(f) ?? 'a result').join(' and ')}`);
  const code = codeOf(finals[0]);
  if (finals.length === 1 && code !== undefined && code !== 'CANCELLED') problems.push(`answered ${code}, not CANCELLED or the result`);
  if (finals.length > 0 && record.some((s) => s.kind === 'partial' && s.index > finals[0].index)) problems.push('a chunk came after the final answer');
  const cancel = wire.byId.get(target.cancelId)?.find((s) => s.kind === 'final');
  if (!cancel || cancel.msg.ok !== true) problems.push(`the $/cancel itself: ${cancel ? codeOf(cancel) : 'no answer'}`);
  const ok = problems.length === 0;
  return verdict(Rules.cancel, ok, `${target.what}: ${ok ? `answered once (${code ?? 'its result'})` : problems.join('; ')}`);
}
