/**
 * Which of main's environment variables a sidecar gets. Main's environment holds things a helper
 * process has no business with: Electron's own switches (`ELECTRON_RUN_AS_NODE` turns an Electron
 * binary into Node), `NODE_OPTIONS` (would load preloads into a Node sidecar), npm's lifecycle
 * variables, and credentials (`GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`...). A manifest picks a policy
 * with `env: { inherit }`; the default, `scrubbed`, passes everything except those. Variables
 * the manifest's `launch()` returns are always added on top.
 */

/**
 * - `scrubbed` (default): all of main's variables except `ELECTRON_*`, `NODE_OPTIONS`,
 *   `NODE_CHANNEL_*`, `NODE_UNIQUE_ID`, `npm_*`, and names that look like secrets (a `_`-separated
 *   part TOKEN, SECRET, PASSWORD, PASSWD, PASSPHRASE, CREDENTIAL(S), APIKEY or AUTH, or ending in KEY).
 * - `minimal`: only what a process needs to run and to find its user's folders (`MINIMAL_ENV`).
 * - `all`: everything, as Node's `spawn` would do.
 * - a list of names: `minimal` plus these names; an entry ending in `*` is a prefix (`MYAPP_*`).
 */
export type EnvInherit = 'scrubbed' | 'minimal' | 'all' | string[];

/** The `env` field of a manifest. */
export interface EnvPolicy {
  inherit?: EnvInherit;
}

/** Names the `minimal` policy keeps (compared case-insensitively; `*` ends a prefix). */
export const MINIMAL_ENV: readonly string[] = [
  'PATH', 'HOME', 'USER', 'USERNAME', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'LC_*', 'TZ', 'TERM', 'NO_COLOR',
  'TMPDIR', 'TEMP', 'TMP', 'XDG_*', 'RUST_LOG', 'RUST_BACKTRACE',
  // Windows: a process without SYSTEMROOT cannot even load some system DLLs.
  'SYSTEMROOT', 'SYSTEMDRIVE', 'WINDIR', 'COMSPEC', 'PATHEXT', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'PROGRAMDATA',
  'PROGRAMFILES', 'PROGRAMFILES(X86)', 'COMMONPROGRAMFILES', 'HOMEDRIVE', 'HOMEPATH', 'NUMBER_OF_PROCESSORS',
  'PROCESSOR_ARCHITECTURE', 'OS',
];

const SCRUBBED_PREFIXES = ['ELECTRON_', 'NODE_CHANNEL_', 'NPM_'];
const SCRUBBED_NAMES = new Set(['NODE_OPTIONS', 'NODE_UNIQUE_ID']);
const SECRET_PARTS = new Set(['TOKEN', 'SECRET', 'SECRETS', 'PASSWORD', 'PASSWD', 'PASSPHRASE', 'CREDENTIAL', 'CREDENTIALS', 'APIKEY', 'AUTH']);

/** True when the `scrubbed` policy drops `name`. */
export function isScrubbed(name: string): boolean {
  const upper = name.toUpperCase();
  if (SCRUBBED_NAMES.has(upper) || SCRUBBED_PREFIXES.some((p) => upper.startsWith(p))) return true;
  const parts = upper.split(/[^A-Z0-9]+/).filter(Boolean);
  return parts.some((p) => SECRET_PARTS.has(p) || p.endsWith('KEY'));
}

function matcher(patterns: readonly string[]): (name: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.endsWith('*')).map((p) => p.toUpperCase()));
  const prefixes = patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1).toUpperCase());
  return (name) => {
    const upper = name.toUpperCase();
    return exact.has(upper) || prefixes.some((p) => upper.startsWith(p));
  };
}

/** The environment of one launch: main's `parent` filtered by `policy`, then `extra` on top. */
export function sidecarEnv(
  parent: Record<string, string | undefined>,
  policy: EnvPolicy | undefined,
  extra: Record<string, string> = {},
): Record<string, string | undefined> {
  const inherit = policy?.inherit ?? 'scrubbed';
  let keep: (name: string) => boolean;
  if (inherit === 'all') keep = () => true;
  else if (inherit === 'scrubbed') keep = (name) => !isScrubbed(name);
  else if (inherit === 'minimal') keep = matcher(MINIMAL_ENV);
  else keep = matcher([...MINIMAL_ENV, ...inherit]);
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(parent)) if (value !== undefined && keep(name)) env[name] = value;
  return { ...env, ...extra };
}
