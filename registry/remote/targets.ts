/**
 * Remote platforms and the local builds that fit them. `uname -sm` names the far side's OS and
 * CPU; each maps to Rust target triples in order of preference (a static musl build first, since
 * it runs on any Linux whatever its glibc). For each triple the local build is looked for where
 * cargo and packaging put it, and a build for the machine we run on is accepted when the remote is
 * the same OS and CPU. Nothing here touches the network.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolveContext } from '../binary/contract';

/** A remote platform as `uname -sm` reports it, with the triples that can run there. */
export interface RemotePlatform {
  /** `uname -s`, e.g. `Linux`, `Darwin`. */
  os: string;
  /** `uname -m`, e.g. `x86_64`, `aarch64`, `arm64`. */
  machine: string;
  /** Rust target triples whose builds run there, preferred first; empty when unsupported. */
  triples: string[];
}

/** A local file to upload, and the triple it was built for. */
export interface LocalBuild {
  triple: string;
  path: string;
  /** Where it was found, for messages. */
  source: 'option' | 'cargo' | 'packaged' | 'host';
}

/** Parses `uname -sm` output (`Linux x86_64`). */
export function parseUname(text: string): RemotePlatform {
  const [os = '', machine = ''] = text.trim().split(/\s+/);
  return { os, machine, triples: triplesFor(os, machine) };
}

/** Rust target triples that run on `os`/`machine`, preferred first. */
export function triplesFor(os: string, machine: string): string[] {
  const cpu = ({ x86_64: 'x86_64', amd64: 'x86_64', aarch64: 'aarch64', arm64: 'aarch64' } as Record<string, string>)[machine.toLowerCase()];
  if (!cpu) return [];
  switch (os.toLowerCase()) {
    case 'linux':
      return [`${cpu}-unknown-linux-musl`, `${cpu}-unknown-linux-gnu`];
    case 'darwin':
      return [`${cpu}-apple-darwin`];
    default:
      return [];
  }
}

/** Every triple `triplesFor` can name, in its order of preference per platform. */
export const KNOWN_TRIPLES: readonly string[] = [
  ...triplesFor('linux', 'x86_64'),
  ...triplesFor('linux', 'aarch64'),
  ...triplesFor('darwin', 'x86_64'),
  ...triplesFor('darwin', 'arm64'),
];

/** The triple of the machine this process runs on, if it is one `triplesFor` knows. */
export function hostTriple(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string | undefined {
  const cpu = ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[arch];
  if (!cpu) return undefined;
  if (platform === 'linux') return `${cpu}-unknown-linux-gnu`;
  if (platform === 'darwin') return `${cpu}-apple-darwin`;
  return undefined;
}

/**
 * Every place a build of `bin` for one of `triples` may be, in order: `binaries[triple]` from the
 * options (for any triple), then per triple cargo's `target/<triple>/{release,debug}/<bin>` under the repo root, the packaged
 * `<resourcesPath>/sidecars/remote/<triple>/<bin>`, then the locally resolved binary when the
 * host's own triple is among them. The first existing file wins.
 */
export function localBuildCandidates(
  bin: string,
  triples: readonly string[],
  ctx: Pick<ResolveContext, 'repoRoot' | 'resourcesPath' | 'platform' | 'arch'>,
  hostBinary: string | undefined,
  binaries: Record<string, string> = {},
): LocalBuild[] {
  // Builds the app named explicitly come first, whatever their triple's rank.
  const out: LocalBuild[] = triples.filter((t) => binaries[t]).map((triple) => ({ triple, path: binaries[triple], source: 'option' as const }));
  for (const triple of triples) {
    if (ctx.repoRoot) {
      for (const profile of ['release', 'debug']) out.push({ triple, path: path.join(ctx.repoRoot, 'target', triple, profile, bin), source: 'cargo' });
    }
    if (ctx.resourcesPath) out.push({ triple, path: path.join(ctx.resourcesPath, 'sidecars', 'remote', triple, bin), source: 'packaged' });
    if (hostBinary && triple === hostTriple(ctx.platform, ctx.arch)) out.push({ triple, path: hostBinary, source: 'host' });
  }
  return out;
}

/** The first candidate that is a file. */
export function firstExisting(candidates: LocalBuild[]): LocalBuild | undefined {
  return candidates.find((c) => {
    try {
      return fs.statSync(c.path).isFile();
    } catch {
      return false;
    }
  });
}
