/**
 * The committed `sidecars/<name>/types.generated.ts` files are exactly what `npm run gen:types`
 * makes of the schemas today: the generator runs in a child process (prettier, which it formats
 * with, needs ES module support jest's VM does not have) and prints its output without writing
 * anything, and each file must match. The other tests show that the comparison can fail (a schema
 * description edit is a difference), that a new sidecar folder is picked up
 * with no change to the generator, and that two different shapes under one title are refused.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SIDECARS = path.resolve(__dirname, '..', 'sidecars');
const SCRIPT = path.join(SIDECARS, 'gen-types.js');

/** Runs the generator over `root` and returns its output by relative path (or its error). */
function generate(root = SIDECARS): { files: Record<string, string>; error: string } {
  const r = spawnSync(process.execPath, [SCRIPT, '--print', '--root', root], { encoding: 'utf8' });
  return { files: r.status === 0 ? JSON.parse(r.stdout) : {}, error: r.stderr };
}

const committed = (rel: string) => fs.readFileSync(path.join(SIDECARS, rel), 'utf8');

let scratch: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-gentypes-'));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A copy of one sidecar's schema folder under the scratch root. */
function copySchemas(sidecar: string): string {
  const dir = path.join(scratch, sidecar, 'schema');
  fs.cpSync(path.join(SIDECARS, sidecar, 'schema'), dir, { recursive: true });
  return dir;
}

test('every committed types.generated.ts is what the schemas generate today, and every schema folder has one', () => {
  const { files, error } = generate();
  expect(error).toBe('');
  const withSchemas = fs.readdirSync(SIDECARS).filter((d) => fs.existsSync(path.join(SIDECARS, d, 'schema')));
  expect(Object.keys(files).sort()).toEqual(withSchemas.map((d) => `${d}/types.generated.ts`).sort());
  expect(Object.keys(files)).toEqual(expect.arrayContaining(['workspace/types.generated.ts', 'markdown/types.generated.ts', 'diff/types.generated.ts']));
  for (const [rel, text] of Object.entries(files)) {
    expect(text.startsWith('/**\n * Wire types of the ')).toBe(true);
    expect(text).toContain('generated from schema/*.json by `npm run gen:types`: do not edit.');
    expect({ file: rel, text: committed(rel) }).toEqual({ file: rel, text });
  }
});

test('an edited schema description changes the output, so the comparison with the committed file catches it', () => {
  const dir = copySchemas('workspace');
  const file = path.join(dir, 'indexProgress.event.json');
  const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
  schema.properties.files.description = 'Files found so far (edited).';
  fs.writeFileSync(file, JSON.stringify(schema, null, 2));
  const edited = generate(scratch).files['workspace/types.generated.ts'];
  expect(edited).toContain('Files found so far (edited).');
  expect(edited).not.toEqual(committed('workspace/types.generated.ts'));
  // The unedited copy generates the committed text, so the edit alone made the difference.
  fs.writeFileSync(file, JSON.stringify({ ...schema, properties: { files: { ...schema.properties.files, description: 'Files found so far by the first scan.' } } }));
  expect(generate(scratch).files['workspace/types.generated.ts']).toEqual(committed('workspace/types.generated.ts'));
});

test('a new sidecar folder is found, and its file names and titles name the types', () => {
  const dir = path.join(scratch, 'newcar', 'schema');
  fs.mkdirSync(dir, { recursive: true });
  const item = { title: 'Thing', type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false };
  fs.writeFileSync(path.join(dir, 'listThings.params.json'), JSON.stringify({ type: 'object', properties: {}, additionalProperties: false }));
  fs.writeFileSync(path.join(dir, 'listThings.result.json'), JSON.stringify({ type: 'object', properties: { things: { type: 'array', items: item } } }));
  fs.writeFileSync(path.join(dir, 'listThings.partial.json'), JSON.stringify({ type: 'object', properties: { things: { type: 'array', items: item } } }));
  fs.writeFileSync(path.join(dir, 'didMove.event.json'), JSON.stringify({ type: 'object', properties: { thing: item }, required: ['thing'] }));
  const text = generate(scratch).files['newcar/types.generated.ts'];
  const declared = [...text.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]);
  expect(declared.sort()).toEqual(['DidMoveEvent', 'ListThingsParams', 'ListThingsPartial', 'ListThingsResult', 'Thing']);
  expect(text).toContain('things?: Thing[];');
});

test('two different shapes under one title are refused, naming both places', () => {
  const dir = path.join(scratch, 'clash', 'schema');
  fs.mkdirSync(dir, { recursive: true });
  const thing = (type: string) => ({ title: 'Thing', type: 'object', properties: { id: { type } } });
  fs.writeFileSync(path.join(dir, 'a.result.json'), JSON.stringify({ type: 'object', properties: { x: thing('string') } }));
  fs.writeFileSync(path.join(dir, 'b.result.json'), JSON.stringify({ type: 'object', properties: { x: thing('integer') } }));
  const { files, error } = generate(scratch);
  expect(files).toEqual({});
  expect(error).toMatch(/clash: two different schemas are titled "Thing" \(AResult\/properties\/x and BResult\/properties\/x\)/);
});
