/**
 * The command line, parsed with commander: program-wide flags (`--root`, `--json`, `--trace`,
 * `--verbose`, `--remote`, accepted before or after the command), one subcommand per job, and the
 * help text with exit codes and examples. Parsing only describes what to do (an `Invocation`); running it is
 * `commands.ts`'s job, so parsing can be reasoned about (and fail with exit code 2) before any
 * sidecar is spawned.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ExitCode, UsageError } from './errors';
import type { GlobalOptions } from './session';

/** One parsed command, with its arguments already checked and converted. */
export type Invocation =
  | { kind: 'find'; query: string; limit: number }
  | { kind: 'search'; pattern: string; regex: boolean; caseSensitive: boolean; word: boolean; include: string[]; exclude: string[]; max: number }
  | { kind: 'glob'; patterns: string[]; exclude: string[]; limit?: number }
  | { kind: 'read'; path: string; base64: boolean; maxBytes?: number }
  | { kind: 'status'; wait: boolean }
  | { kind: 'symbols'; query: string; limit: number }
  | { kind: 'outline'; path: string }
  | { kind: 'importers'; path: string; transitive: boolean }
  | { kind: 'watch'; globs: string[] }
  | { kind: 'call'; sidecar: string; method: string; params: Record<string, unknown> }
  | { kind: 'sidecars' }
  | { kind: 'conformance'; command: string[]; manifest?: string; timeoutMs?: number; maxLineBytes?: number }
  | { kind: 'interactive' };

/** The outcome of parsing: something to run, or an exit code (help shown, or a usage error printed). */
export type Parsed = { global: GlobalOptions; invocation: Invocation } | { exitCode: number };

const HELP_FOOTER = `
With no command and a terminal on stdin, skaffa opens interactive quick open:
type to fuzzy-find files, start with "/" to search file contents or "@" to find
TS/JS symbols (declarations by name), Enter shows the file.

Exit codes: 0 success; 1 runtime error, or no results from find, search, symbols
            or importers (like grep); 2 usage error (bad arguments, folder not
            found); 130 interrupted (Ctrl-C).

Examples:
  skaffa                                   quick open in the current folder
  skaffa --root ~/src/app find mainrs      fuzzy-find files
  skaffa search -w --include '**/*.ts' TODO
  skaffa --json status
  skaffa symbols Button                    TS/JS declarations by fuzzy name (name, kind, path:line)
  skaffa importers src/Button.tsx          who imports a file (--transitive: everything that reaches it)
  skaffa call workspace workspace/glob '{"include":["**/*.md"]}'
  skaffa --trace trace.ndjson watch '**/*.rs'
  skaffa conformance -- node sidecars/diff/sidecar.js   (check a sidecar against the protocol)
  skaffa --remote 'ssh -T dev@box --' --root /srv/app find main   (see docs/remote.md)`;

/**
 * Parses `argv` (without the node and script entries). `stdinIsTTY` decides what a bare `skaffa`
 * means: quick open in a terminal, a usage error in a pipe.
 */
export function parseArgs(argv: string[], stdinIsTTY: boolean, writeErr: (s: string) => void = (s) => process.stderr.write(s)): Parsed {
  let invocation: Invocation | undefined;
  const program = new Command('skaffa')
    .description('Quick open, search and inspect a folder through Skaffa sidecars.')
    .option('-C, --root <dir>', 'folder to work on (default: the current folder)')
    .option('--json', 'machine-readable output (one JSON document; NDJSON for watch)')
    .option('--trace <file>', 'record every sidecar message both ways as NDJSON')
    .option('-v, --verbose', "show sidecars' stderr, prefixed with their name")
    .option('--remote <transport>', "run the sidecars on another machine through a stdio transport, e.g. 'ssh -T dev@box --'; --root is then a folder there")
    .option('--remote-dir <dir>', 'with --remote: remote folder for the uploaded sidecar binaries (default ~/.skaffa-sidecars)')
    .addHelpText('after', HELP_FOOTER)
    .showSuggestionAfterError(true)
    .configureOutput({ writeErr })
    .exitOverride()
    .action((_options: unknown, self: Command) => {
      // The program's own action runs for a bare `skaffa` and for anything that is not a command.
      if (self.args.length > 0) throw new UsageError(`unknown command '${self.args[0]}' (see skaffa --help)`);
      invocation = { kind: 'interactive' };
    });

  program
    .command('find <query>')
    .description('fuzzy-find file paths, best match first')
    .option('-n, --limit <n>', 'how many matches', positiveInt, 20)
    .action((query: string, o: { limit: number }) => {
      invocation = { kind: 'find', query, limit: o.limit };
    });

  program
    .command('search <pattern>')
    .description('search file contents; prints path:line:col text')
    .option('-E, --regex', 'pattern is a regular expression (Rust regex syntax)')
    .option('-s, --case-sensitive', 'match case exactly (default: ignore case)')
    .option('-w, --word', 'match whole words only')
    .option('--include <glob>', 'only files matching this glob (repeatable)', collect, [])
    .option('--exclude <glob>', 'skip files matching this glob (repeatable)', collect, [])
    .option('-m, --max <n>', 'stop after this many matches', positiveInt, 200)
    .action((pattern: string, o: { regex?: boolean; caseSensitive?: boolean; word?: boolean; include: string[]; exclude: string[]; max: number }) => {
      invocation = { kind: 'search', pattern, ...o, regex: o.regex === true, caseSensitive: o.caseSensitive === true, word: o.word === true };
    });

  program
    .command('glob <patterns...>')
    .description('list indexed files matching globs, e.g. "**/*.md"')
    .option('--exclude <glob>', 'leave out files matching this glob (repeatable)', collect, [])
    .option('-n, --limit <n>', 'list at most this many', positiveInt)
    .action((patterns: string[], o: { exclude: string[]; limit?: number }) => {
      invocation = { kind: 'glob', patterns, exclude: o.exclude, limit: o.limit };
    });

  program
    .command('read <path>')
    .description('print a file of the workspace (path relative to --root)')
    .option('--base64', 'read bytes as base64 (for files that are not UTF-8)')
    .option('--max-bytes <n>', 'refuse files larger than this', positiveInt)
    .action((p: string, o: { base64?: boolean; maxBytes?: number }) => {
      invocation = { kind: 'read', path: p, base64: o.base64 === true, maxBytes: o.maxBytes };
    });

  program
    .command('status')
    .description('index state, file count, generation, watching (after the first index is built)')
    .option('--no-wait', 'report at once, even while the first index is still building')
    .action((o: { wait: boolean }) => {
      invocation = { kind: 'status', wait: o.wait };
    });

  program
    .command('symbols <query>')
    .description('find TS/JS declarations by fuzzy name, best first (name, kind, path:line)')
    .option('-n, --limit <n>', 'how many symbols', positiveInt, 20)
    .action((query: string, o: { limit: number }) => {
      invocation = { kind: 'symbols', query, limit: o.limit };
    });

  program
    .command('outline <path>')
    .description("a TS/JS file's declarations as a tree with their lines, and its parse errors")
    .action((p: string) => {
      invocation = { kind: 'outline', path: p };
    });

  program
    .command('importers <path>')
    .description('the files that import a file (path relative to --root)')
    .option('-t, --transitive', 'also the importers of the importers, and so on')
    .action((p: string, o: { transitive?: boolean }) => {
      invocation = { kind: 'importers', path: p, transitive: o.transitive === true };
    });

  program
    .command('watch [globs...]')
    .description('print file changes as they happen until Ctrl-C (default glob "**")')
    .action((globs: string[]) => {
      invocation = { kind: 'watch', globs: globs.length > 0 ? globs : ['**'] };
    });

  program
    .command('call <sidecar> <method> [params]')
    .description('call any method of any registered sidecar; params is a JSON object (default {})')
    .action((sidecar: string, method: string, params: string | undefined) => {
      invocation = { kind: 'call', sidecar, method, params: parseParams(params) };
    });

  program
    .command('sidecars')
    .description('list registered sidecars: resolved binary, where it came from, state, methods')
    .action(() => {
      invocation = { kind: 'sidecars' };
    });

  program
    .command('conformance')
    .usage('[options] -- <cmd...>')
    .description('check that a sidecar command speaks the protocol (docs/protocol.md); exit 0 only when every MUST holds')
    .argument('<cmd...>', 'the sidecar command to start (no shell), after --')
    .option('--manifest <module#export>', "send every method's params examples and validate the answers, e.g. dist/sidecars/workspace/manifest.js#workspaceManifest")
    .option('--timeout <ms>', 'how long to wait for any one answer', positiveInt)
    .option('--max-line-bytes <n>', "the sidecar's input line limit; a line one byte longer is sent (default 64 MiB)", positiveInt)
    .action((command: string[], o: { manifest?: string; timeout?: number; maxLineBytes?: number }) => {
      invocation = { kind: 'conformance', command, manifest: o.manifest, timeoutMs: o.timeout, maxLineBytes: o.maxLineBytes };
    });

  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version "errors" are successful exits; every other parse error is a usage error.
      const ok = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      return { exitCode: ok ? ExitCode.ok : ExitCode.usage };
    }
    if (e instanceof UsageError) {
      writeErr(`error: ${e.message}\n`);
      return { exitCode: ExitCode.usage };
    }
    throw e;
  }
  const o = program.opts<{ root?: string; json?: boolean; trace?: string; verbose?: boolean; remote?: string; remoteDir?: string }>();
  if (o.remote !== undefined && o.root === undefined) {
    writeErr('error: --remote needs --root <folder on the remote side>\n');
    return { exitCode: ExitCode.usage };
  }
  const global: GlobalOptions = {
    root: o.root ?? process.cwd(),
    json: o.json === true,
    trace: o.trace,
    verbose: o.verbose === true,
    remote: o.remote,
    remoteDir: o.remoteDir,
  };
  if (!invocation) {
    writeErr('error: no command given\n');
    writeErr(program.helpInformation());
    return { exitCode: ExitCode.usage };
  }
  if (invocation.kind === 'interactive' && !stdinIsTTY) {
    // Quick open needs a terminal; in a pipe or a script, index the folder and report it instead.
    writeErr('no terminal on stdin, so no quick open: indexing and showing the status (see --help for commands)\n');
    return { global, invocation: { kind: 'status', wait: true } };
  }
  return { global, invocation };
}

/** commander parser for counts: a positive integer or a usage error. */
function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/** commander parser for repeatable options. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `call`'s params: a JSON object, so mistakes surface as usage errors, not sidecar errors. */
function parseParams(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`params are not valid JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('params must be a JSON object, e.g. {"path":"README.md"}');
  return value as Record<string, unknown>;
}
