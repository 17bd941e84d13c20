/**
 * The bench's command line. `--quick` is the under-two-minutes run (a small generated corpus,
 * fewer rounds); the default is the full run on the npm corpus and the 1M-file generated one.
 */
import * as os from 'node:os';
import * as path from 'node:path';

export interface Options {
  quick: boolean;
  json?: string;
  /** An SVG bar chart of the ratios. */
  svg?: string;
  corpus?: string;
  work: string;
  genFiles: number;
  /** Suites to run (all when empty): index, fuzzy, search, protocol, watch, read, hash, remote, ranking, analysis. */
  only: string[];
}

export const USAGE = `usage: node bench/dist/run.js [--quick] [--json <file>] [--svg <file>] [--corpus <dir>] [--work <dir>]
                                 [--gen-files <n>] [--only index,fuzzy,search,protocol,watch,read,hash,reaper,remote,ranking,analysis]`;

export function parseOptions(argv: string[]): Options {
  const o: Options = { quick: false, work: path.join(os.tmpdir(), 'skaffa-bench'), genFiles: 0, only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = path.resolve(value());
    else if (a === '--svg') o.svg = path.resolve(value());
    else if (a === '--corpus') o.corpus = path.resolve(value());
    else if (a === '--work') o.work = path.resolve(value());
    else if (a === '--gen-files') o.genFiles = Number(value());
    else if (a === '--only') o.only = value().split(',');
    else if (a === '--help' || a === '-h') throw new Error(USAGE);
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (!o.genFiles) o.genFiles = o.quick ? 20_000 : 1_000_000;
  return o;
}
