/**
 * Transport command lines. A transport is a command prefix that carries stdio to another machine
 * (`ssh -T dev@box --`, `docker exec -i ctr`, `kubectl exec -i pod --`, `wsl -e`); the remote
 * command is appended to it. ssh is the odd one out: it joins its arguments with spaces and hands
 * them to the remote user's shell, so for ssh the remote command is one POSIX-quoted string, while
 * the others execute an argv directly. This file splits a transport string like a shell would,
 * tells the two styles apart and builds the final argv; it runs nothing.
 */

/** How the remote command is passed: one shell-quoted string (ssh) or plain arguments. */
export type CommandStyle = 'shell' | 'argv';

/** The transport families this module knows; anything else is `other` (argv style). */
export type TransportKind = 'ssh' | 'docker' | 'kubectl' | 'wsl' | 'other';

/** A parsed transport prefix. */
export interface TransportCommand {
  /** The prefix as arguments, e.g. `['ssh', '-T', 'dev@box', '--']`. */
  prefix: string[];
  kind: TransportKind;
  style: CommandStyle;
}

/**
 * Parses a transport given as a string (split like a POSIX shell: quotes, and backslashes before
 * blanks, quotes and backslashes; no expansion) or as an argv array. `style` overrides the style derived from the command's name.
 */
export function parseTransport(spec: string | string[], style?: CommandStyle): TransportCommand {
  const prefix = Array.isArray(spec) ? [...spec] : splitWords(spec);
  if (prefix.length === 0 || prefix[0] === '') throw new Error('the transport is empty (expected e.g. "ssh -T dev@box --")');
  const kind = kindOf(prefix[0]);
  return { prefix, kind, style: style ?? (kind === 'ssh' ? 'shell' : 'argv') };
}

/** The program and arguments that run `argv` on the far side of `transport`. */
export function remoteCommand(transport: TransportCommand, argv: string[]): { command: string; args: string[] } {
  const [command, ...rest] = transport.prefix;
  const tail = transport.style === 'shell' ? [argv.map(shellQuote).join(' ')] : argv;
  return { command, args: [...rest, ...tail] };
}

/** Quotes one word for a POSIX shell: bare when it is plainly safe, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Splits `text` into words the way `sh` would, without any expansion. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) word += text[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
    } else if (ch === '\\' && i + 1 < text.length && /[\s'"\\]/.test(text[i + 1])) {
      // Only before a blank, a quote or a backslash, so Windows paths (C:\Windows\...) survive.
      word = (word ?? '') + text[++i];
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in the transport: ${text}`);
  if (word !== undefined) words.push(word);
  return words;
}

function kindOf(program: string): TransportKind {
  const base = program.replace(/\\/g, '/').split('/').pop()!.toLowerCase().replace(/\.exe$/, '');
  if (base === 'ssh') return 'ssh';
  if (base === 'docker' || base === 'podman') return 'docker';
  if (base === 'kubectl' || base === 'oc') return 'kubectl';
  if (base === 'wsl') return 'wsl';
  return 'other';
}
