#!/usr/bin/env node
/**
 * Writes each sidecar's TypeScript wire types from its JSON Schemas, so the schemas stay the one
 * source of truth and the types cannot drift from what main validates. Every folder
 * `sidecars/<name>/schema/` gets a `sidecars/<name>/types.generated.ts`; a new sidecar needs no
 * change here. A file `<method>.<kind>.json` names its type after itself (`findFiles.params.json`
 * → `FindFilesParams`, `didChange.event.json` → `DidChangeEvent`); a sub-schema with a `title`
 * becomes its own exported type of that name, and the same title in several files must describe
 * the same shape (it is then declared once), so shared shapes such as `SearchLine` keep one name.
 *
 * Usage: node sidecars/gen-types.js [--check] [--print] [--root <dir>]   (npm run gen:types writes the files)
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const { compile } = require('json-schema-to-typescript');

const SIDECARS = __dirname;
const OUT_FILE = 'types.generated.ts';

/** The repository's TypeScript style (2 spaces, single quotes, ~140 columns). */
const STYLE = { printWidth: 140, singleQuote: true, semi: true, tabWidth: 2, useTabs: false, trailingComma: 'all', bracketSpacing: true };

const header = (name) =>
  [
    '/**',
    ` * Wire types of the ${name} sidecar, generated from schema/*.json by \`npm run gen:types\`: do not edit.`,
    ' * Change the schemas (their `description`s become these comments) and run it again.',
    ' */',
  ].join('\n');

/** `findFiles.params.json` → `FindFilesParams`. */
function typeName(file) {
  const parts = path.basename(file, '.json').split('.');
  return parts.map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

/** Sidecar folders that hold a `schema/` folder, sorted so the output never depends on the disk. */
function sidecarsWithSchemas(root = SIDECARS) {
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, 'schema')))
    .map((d) => d.name)
    .sort();
}

/**
 * A `minItems` without `maxItems` would make the type a tuple (`[T, ...T[]]`) that callers holding
 * a plain array cannot pass; the schema still enforces it, so the type keeps a plain `T[]`.
 */
function plainArrays(node) {
  if (Array.isArray(node)) return node.map(plainArrays);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) if (!(k === 'minItems' && node.maxItems === undefined)) out[k] = plainArrays(v);
  return out;
}

/** A blank line between top-level declarations, as the hand-written files have. */
function spaced(ts) {
  const out = ts.replace(/\n(?=\/\*\*|export )/g, (nl, offset) => (ts.slice(0, offset).endsWith(' */') ? nl : '\n\n'));
  return out.replace(/\n{3,}/g, '\n\n');
}

/**
 * Makes every titled sub-schema that appears more than once the same object, after checking the
 * copies agree, so the compiler (which remembers schemas by identity) declares it once.
 */
function shareTitled(schemas, sidecar) {
  const seen = new Map();
  const visit = (node, where) => {
    if (Array.isArray(node)) return node.map((n, i) => visit(n, `${where}/${i}`));
    if (!node || typeof node !== 'object') return node;
    for (const [k, v] of Object.entries(node)) node[k] = visit(v, `${where}/${k}`);
    if (typeof node.title !== 'string') return node;
    const first = seen.get(node.title);
    if (!first) {
      seen.set(node.title, { node, where });
      return node;
    }
    if (!isDeepStrictEqual(first.node, node)) {
      throw new Error(`${sidecar}: two different schemas are titled "${node.title}" (${first.where} and ${where}); give them one shape or two titles`);
    }
    return first.node;
  };
  for (const [name, schema] of Object.entries(schemas)) schemas[name] = visit(schema, name);
}

/** The generated file of one sidecar folder, as text. */
async function generateOne(dir, sidecar) {
  const files = fs
    .readdirSync(path.join(dir, 'schema'))
    .filter((f) => f.endsWith('.json'))
    .sort();
  const definitions = {};
  // A schema's own `definitions` (what a recursive shape such as an outline's symbol tree refers
  // to as `#/definitions/X`) move to the root, where those pointers then resolve.
  const shared = {};
  for (const file of files) {
    const { $schema, definitions: own = {}, ...schema } = JSON.parse(fs.readFileSync(path.join(dir, 'schema', file), 'utf8'));
    for (const [name, def] of Object.entries(own)) {
      if (shared[name] && !isDeepStrictEqual(shared[name], def)) throw new Error(`${sidecar}: two different definitions are named "${name}"`);
      shared[name] = plainArrays(def);
    }
    // The file name, not the schema's own title, names the top-level type.
    definitions[typeName(file)] = plainArrays({ ...schema, title: typeName(file) });
  }
  // The moved definitions share titled sub-shapes with the files too (visited in place).
  shareTitled({ ...definitions, $definitions: shared }, sidecar);
  // One compile over all of them: a shared sub-shape is one object, hence one declaration.
  const root = {
    title: 'GeneratedRoot',
    type: 'object',
    properties: definitions,
    required: Object.keys(definitions),
    additionalProperties: false,
    ...(Object.keys(shared).length ? { definitions: shared } : {}),
  };
  const ts = await compile(root, 'GeneratedRoot', { bannerComment: '', style: STYLE, additionalProperties: false, unknownAny: true });
  // The root only gathers the files; drop its declaration and keep everything it named.
  const body = ts.replace(/^export interface GeneratedRoot \{[\s\S]*?^\}\n\n?/m, '');
  if (body.includes('GeneratedRoot')) throw new Error(`${sidecar}: could not strip the root declaration`);
  return `${header(sidecar)}\n\n${spaced(body.trim())}\n`;
}

/** Every generated file: absolute path → content. */
async function generate(root = SIDECARS) {
  const out = new Map();
  for (const sidecar of sidecarsWithSchemas(root)) {
    const dir = path.join(root, sidecar);
    out.set(path.join(dir, OUT_FILE), await generateOne(dir, sidecar));
  }
  return out;
}

/** `--root <dir>` (default: this folder), `--check` (fail on a stale file), `--print` (write nothing;
 * print `{ "<relative path>": "<content>" }` as JSON, for the test that compares it with the files). */
function parseArgs(argv) {
  const at = argv.indexOf('--root');
  return { root: at >= 0 ? path.resolve(argv[at + 1]) : SIDECARS, check: argv.includes('--check'), print: argv.includes('--print') };
}

async function main() {
  const { root, check, print } = parseArgs(process.argv.slice(2));
  const generated = await generate(root);
  if (print) {
    process.stdout.write(JSON.stringify(Object.fromEntries([...generated].map(([file, text]) => [path.relative(root, file), text]))));
    return;
  }
  const stale = [];
  for (const [file, text] of generated) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    stale.push(path.relative(process.cwd(), file));
    if (!check) fs.writeFileSync(file, text);
  }
  if (check && stale.length > 0) throw new Error(`stale generated types (run npm run gen:types): ${stale.join(', ')}`);
  console.log(`gen-types: ${stale.length === 0 ? 'up to date' : `${check ? 'stale' : 'wrote'} ${stale.join(', ')}`}`);
}

main().catch((e) => {
  console.error(`gen-types: ${e.message}`);
  process.exit(1);
});
