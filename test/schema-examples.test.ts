/**
 * Every params schema of every sidecar (`sidecars/<name>/schema/*.params.json`) carries
 * `examples`: valid params objects that together use every property. The Rust sidecars' own tests
 * feed the same examples to their params structs, so a field renamed on one side fails one of the
 * two; this test makes sure the examples exist, cover the schema and pass it, with the same
 * validator main uses on every call.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JsonSchema } from '../registry/manifest';
import { AjvSchemaValidator } from '../registry/validation/ajv-validator';
import { formatIssues } from '../registry/validation/contract';

const SIDECARS = path.resolve(__dirname, '..', 'sidecars');

/** `[label, file]` for every params schema, found on disk so a new sidecar or method is included. */
function paramsSchemas(): [string, string][] {
  const found: [string, string][] = [];
  for (const sidecar of fs.readdirSync(SIDECARS).sort()) {
    const dir = path.join(SIDECARS, sidecar, 'schema');
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      if (file.endsWith('.params.json')) found.push([`${sidecar}/${file}`, path.join(dir, file)]);
    }
  }
  return found;
}

const schemas = paramsSchemas();

test('the params schemas of every sidecar are found', () => {
  const sidecars = new Set(schemas.map(([label]) => label.split('/')[0]));
  expect([...sidecars].sort()).toEqual(['diff', 'markdown', 'typescript', 'workspace']);
});

describe.each(schemas)('%s', (label, file) => {
  const schema = JSON.parse(fs.readFileSync(file, 'utf8')) as JsonSchema & { examples?: unknown[]; properties?: object };
  const examples = schema.examples ?? [];

  test('has examples, each valid against the schema', () => {
    expect(Array.isArray(schema.examples) && examples.length > 0).toBe(true);
    const validate = new AjvSchemaValidator().compile(schema, label);
    for (const example of examples) expect([example, formatIssues(validate(example))]).toEqual([example, '']);
  });

  test('whose examples together use every property', () => {
    const used = new Set(examples.flatMap((e) => Object.keys(e as object)));
    expect([...used].sort()).toEqual(Object.keys(schema.properties ?? {}).sort());
  });
});
