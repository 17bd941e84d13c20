/**
 * Where the CLI writes. Results go to stdout (one JSON document under `--json`, one NDJSON line per
 * batch for `watch --json`); diagnostics, progress and errors go to stderr so a pipe only ever sees
 * results. Commands receive an `Output` instead of touching `process.stdout`, which keeps the
 * choice between human and JSON output in one place.
 */

/** The sink commands write their results and diagnostics to. */
export interface Output {
  /** True under `--json`: commands print `json(...)` instead of text lines. */
  readonly json: boolean;
  /** Human result lines (stdout). */
  lines(lines: string[]): void;
  /** Text exactly as given (stdout), e.g. a file's content for `read`. */
  raw(text: string): void;
  /** One JSON document (stdout), pretty-printed for a person reading `--json` output. */
  document(value: unknown): void;
  /** One compact JSON line (stdout), for streams such as `watch --json`. */
  ndjson(value: unknown): void;
  /** A diagnostic line (stderr): progress, hints, errors. */
  note(line: string): void;
}

/** The process's real stdout/stderr as an `Output`. */
export function processOutput(json: boolean): Output {
  return {
    json,
    lines: (lines) => {
      if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
    },
    raw: (text) => process.stdout.write(text),
    document: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    ndjson: (value) => process.stdout.write(`${JSON.stringify(value)}\n`),
    note: (line) => process.stderr.write(`${line}\n`),
  };
}
