/**
 * The test helper: `await expectConformant(command, options)` in a sidecar's own tests (jest or
 * any runner that fails on a rejected promise) resolves with the report when every MUST holds and
 * rejects with the failing rules listed otherwise, so the failure message says what to fix.
 */
import type { ConformanceOptions, ConformanceReport } from './contract';
import { failures, formatRule } from './report';
import { checkConformance } from './run';

/** Runs the checks; rejects with every failing rule (one per line) unless the sidecar conforms. */
export async function expectConformant(command: string[], options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const report = await checkConformance(command, options);
  const failed = failures(report);
  if (failed.length > 0) {
    const width = Math.max(...failed.map((r) => r.id.length));
    throw new Error(`${command.join(' ')} breaks ${failed.length} protocol rule(s):\n${failed.map((r) => `  ${formatRule(r, width)}`).join('\n')}`);
  }
  return report;
}
