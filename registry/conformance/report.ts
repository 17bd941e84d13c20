/**
 * The report for people: one line per rule (status, level, id, what was seen), the protocol
 * section each rule comes from, and a closing count. The CLI prints it and `expectConformant`
 * puts the failing lines in its error, so a red test says which rule broke and where to read up.
 */
import type { ConformanceReport, RuleResult } from './contract';

const LABEL: Record<RuleResult['status'], string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' };

/** One rule as one line: `FAIL  MUST    transport.children  after stdin EOF, … [docs/protocol.md § Transport]`. */
export function formatRule(rule: RuleResult, idWidth = 0): string {
  return `${LABEL[rule.status]}  ${rule.level.padEnd(6)}  ${rule.id.padEnd(idWidth)}  ${rule.title}: ${rule.detail}  [docs/protocol.md § ${rule.section}]`;
}

/** The whole report as lines: a heading, one line per rule, a count and the verdict. */
export function formatReport(report: ConformanceReport): string[] {
  const width = Math.max(...report.rules.map((r) => r.id.length));
  const count = (s: RuleResult['status']) => report.rules.filter((r) => r.status === s).length;
  return [
    `conformance of: ${report.command.join(' ')}`,
    ...report.rules.map((r) => formatRule(r, width)),
    `${count('pass')} passed, ${count('fail')} failed, ${count('warn')} warnings, ${count('skip')} skipped (${(report.durationMs / 1000).toFixed(1)} s)`,
    report.ok ? 'conformant: every MUST holds' : 'NOT conformant: a MUST rule failed',
  ];
}

/** The rules that failed. */
export function failures(report: ConformanceReport): RuleResult[] {
  return report.rules.filter((r) => r.status === 'fail');
}
