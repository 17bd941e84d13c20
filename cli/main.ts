#!/usr/bin/env node
/**
 * Entry point of the `skaffa` CLI (`node cli/dist/main.js`, or `skaffa` once the cli package is linked). It parses the arguments,
 * opens a session on the folder, runs the command, explains any failure, and always shuts the
 * sidecars down before exiting with a conventional code (see `errors.ts`). Ctrl-C (SIGINT) or
 * SIGTERM aborts the running command, still shuts the sidecars down, and exits 130; a second
 * Ctrl-C exits at once (the sidecars then end on their own when their stdin closes).
 */
import { parseArgs, type Invocation } from './args';
import { runCommand } from './commands';
import { runConformance } from './conformance';
import { explain, ExitCode, InterruptedError } from './errors';
import { runInteractive } from './interactive';
import { processOutput, type Output } from './output';
import { openSession, type Session } from './session';
import { runWatch } from './watch';

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2), process.stdin.isTTY === true);
  if ('exitCode' in parsed) return parsed.exitCode;
  const out = processOutput(parsed.global.json);

  const interrupt = new AbortController();
  const onSignal = () => {
    if (interrupt.signal.aborted) process.exit(ExitCode.interrupted);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const interrupted = new Promise<never>((_, reject) => interrupt.signal.addEventListener('abort', () => reject(new InterruptedError()), { once: true }));
  interrupted.catch(() => undefined); // raced below; a late interrupt during shutdown is not an error

  let session: Session | undefined;
  try {
    // The conformance check starts only the command under test: no session, no workspace sidecar.
    if (parsed.invocation.kind === 'conformance') return await Promise.race([runConformance(parsed.invocation, out), interrupted]);
    session = openSession(parsed.global, (line) => out.note(line));
    return await Promise.race([run(parsed.invocation, session, out, interrupt.signal), interrupted]);
  } catch (e) {
    const why = explain(e, session?.crashes);
    if (out.json && why.exitCode !== ExitCode.interrupted) out.document({ error: why.json });
    for (const line of why.lines) out.note(line);
    return why.exitCode;
  } finally {
    await session?.dispose();
  }
}

/** Dispatches to the command's runner. */
function run(inv: Invocation, session: Session, out: Output, interrupt: AbortSignal): Promise<number> {
  switch (inv.kind) {
    case 'watch':
      return runWatch(inv, session, out, interrupt);
    case 'interactive':
      return runInteractive(session, out, interrupt);
    case 'conformance':
      return runConformance(inv, out);
    default:
      return runCommand(inv, session, out);
  }
}

main().then(
  (code) => {
    // Let stdout drain (a piped `--json` document can be large) before exiting.
    process.exitCode = code;
    process.stdout.write('', () => process.exit(code));
  },
  (e) => {
    process.stderr.write(`internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(ExitCode.failure);
  },
);
