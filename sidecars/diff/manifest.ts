/**
 * The diff sidecar's manifest: a sidecar written in Node, started as `node sidecar.js` with the
 * Node that runs main (`process.execPath`; in Electron set ELECTRON_RUN_AS_NODE, see
 * docs/packaging.md). Registered like any other sidecar; nothing in core knows it is JavaScript.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineSidecar, method } from '../../registry/manifest';
import linesParams from './schema/lines.params.json';
import linesResult from './schema/lines.result.json';
import wordsParams from './schema/words.params.json';
import wordsResult from './schema/words.result.json';
import type * as T from './types.generated';

// The wire types (DiffHunk, LinesResult…), generated from schema/*.json.
export type * from './types.generated';

/** Where `sidecar.js` is: next to this file in the source tree, or in the source tree when this
 * file runs compiled from `dist/` (tsc does not copy plain JavaScript). */
function scriptPath(): string {
  const here = path.join(__dirname, 'sidecar.js');
  const fromDist = path.resolve(__dirname, '..', '..', '..', 'sidecars', 'diff', 'sidecar.js');
  return fs.existsSync(here) ? here : fromDist;
}

export const diffManifest = defineSidecar({
  name: 'diff',
  description: 'line and word diffs (a Node sidecar on sidecars/node-protocol)',
  binary: { command: process.execPath, args: [scriptPath()] },
  launch: () => ({ env: { ELECTRON_RUN_AS_NODE: '1' } }),
  methods: {
    'diff/lines': method<T.LinesParams, T.LinesResult>({ params: linesParams, result: linesResult, timeoutMs: 10_000, idempotent: true }),
    'diff/words': method<T.WordsParams, T.WordsResult>({
      params: wordsParams,
      result: wordsResult,
      timeoutMs: 10_000,
      idempotent: true,
    }),
  },
});
