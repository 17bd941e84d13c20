#!/usr/bin/env node
/**
 * The diff sidecar, written in Node to show that the wire is language-neutral: line diffs as
 * unified-diff hunks (for a "compare with saved" view) and word diffs (for inline highlights),
 * computed with jsdiff. It validates params with the same JSON Schemas main uses, so a caller
 * that bypasses main's validation still gets INVALID_PARAMS rather than a crash.
 */
'use strict';
const path = require('node:path');
const Ajv = require('ajv');
const { structuredPatch, diffWordsWithSpace } = require('diff');
const { createSidecar, MethodError } = require('../node-protocol');

const ajv = new Ajv({ strict: false });
/** A params check from `schema/<name>.params.json`, returning an error message or null. */
function paramsCheck(name) {
  const validate = ajv.compile(require(path.join(__dirname, 'schema', `${name}.params.json`)));
  return (params) => (validate(params) ? null : `invalid params: ${ajv.errorsText(validate.errors, { dataVar: 'params' })}`);
}

/** Line diff of `a` → `b` as hunks with context lines, plus counts. */
function diffLines(params, ctx) {
  const patch = structuredPatch('a', 'b', params.a, params.b, '', '', {
    context: params.context ?? 3,
    ignoreWhitespace: params.ignoreWhitespace ?? false,
  });
  if (ctx.signal.aborted) throw new MethodError('CANCELLED', 'the request was cancelled');
  let added = 0;
  let removed = 0;
  const hunks = patch.hunks.map((h) => {
    for (const line of h.lines) {
      if (line.startsWith('+')) added++;
      else if (line.startsWith('-')) removed++;
    }
    return { oldStart: h.oldStart, oldLines: h.oldLines, newStart: h.newStart, newLines: h.newLines, lines: h.lines };
  });
  return { hunks, added, removed };
}

/** Word diff of `a` → `b`: the parts in order, each marked added, removed or common. */
function diffWords(params) {
  const parts = diffWordsWithSpace(params.a, params.b).map((p) => ({
    value: p.value,
    type: p.added ? 'added' : p.removed ? 'removed' : 'common',
  }));
  return { parts };
}

createSidecar({ name: 'diff', version: require('../../package.json').version })
  .method('diff/lines', diffLines, paramsCheck('lines'))
  .method('diff/words', diffWords, paramsCheck('words'))
  .serve();
