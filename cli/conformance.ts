/**
 * `skaffa conformance [--manifest m#export] -- <command…>`: runs the protocol conformance checks
 * of `skaffa-sidecars/conformance` on any sidecar command and prints one line per rule (or the
 * report as one JSON document under `--json`). The exit code is 0 only when every MUST holds, so
 * CI can gate on it; SHOULD rules and methods without examples only warn. No session is opened:
 * the command under test is the only process started.
 */
import { checkConformance, formatReport, loadManifest } from 'skaffa-sidecars/conformance';
import type { Invocation } from './args';
import { ExitCode, UsageError } from './errors';
import type { Output } from './output';

/** Runs the checks and prints the report; returns the exit code. */
export async function runConformance(inv: Extract<Invocation, { kind: 'conformance' }>, out: Output): Promise<number> {
  let manifest;
  try {
    manifest = inv.manifest === undefined ? undefined : loadManifest(inv.manifest);
  } catch (e) {
    throw new UsageError(`--manifest ${inv.manifest}: ${(e as Error).message}`);
  }
  const report = await checkConformance(inv.command, { manifest, timeoutMs: inv.timeoutMs, maxLineBytes: inv.maxLineBytes });
  if (out.json) out.document(report);
  else out.lines(formatReport(report));
  return report.ok ? ExitCode.ok : ExitCode.failure;
}
