/**
 * The Node protocol kit (`sidecars/node-protocol`) through the diff sidecar, driven by the real
 * registry: results within their schemas, INVALID_PARAMS from the sidecar's own check when main's
 * validation is bypassed, protocol errors for bad lines, and `$/cancel` answered at once.
 */
import { spawn } from 'node:child_process';
import * as readline from 'node:readline';
import * as path from 'node:path';
import { diffManifest } from '../sidecars/diff/manifest';
import { makeRegistry } from './helpers';

test('diff/lines and diff/words through the registry', async () => {
  const registry = makeRegistry([diffManifest]);
  const client = registry.client(diffManifest);
  const lines = await client.call('diff/lines', { a: 'one\ntwo\nthree\n', b: 'one\n2\nthree\nfour\n', context: 0 });
  expect(lines.added).toBe(2);
  expect(lines.removed).toBe(1);
  expect(lines.hunks.flatMap((h) => h.lines)).toEqual(['-two', '+2', '+four']);
  const words = await client.call('diff/words', { a: 'hello world', b: 'hello there' });
  expect(words.parts).toEqual([
    { value: 'hello ', type: 'common' },
    { value: 'world', type: 'removed' },
    { value: 'there', type: 'added' },
  ]);
});

test('the kit answers bad input with protocol errors and keeps serving', async () => {
  const child = spawn(process.execPath, [path.join(__dirname, '../sidecars/diff/sidecar.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers: any[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (l) => answers.push(JSON.parse(l)));
  child.stdin.write('not json\n');
  child.stdin.write('[1,2]\n');
  child.stdin.write('{"id":"x","method":"diff/words","params":{"a":1,"b":"y"}}\n');
  child.stdin.write('{"id":"y","method":"diff/nope","params":{}}\n');
  child.stdin.write('{"id":"z","method":"$/cancel","params":{"id":"unknown"}}\n');
  child.stdin.end('{"id":"w","method":"$/ping","params":{}}\n');
  const code = await new Promise((r) => child.on('exit', r));
  expect(code).toBe(0);
  expect(answers.map((a) => [a.id, a.ok ? 'ok' : a.error.code])).toEqual([
    [null, 'PARSE_ERROR'],
    [null, 'INVALID_REQUEST'],
    ['x', 'INVALID_PARAMS'],
    ['y', 'METHOD_NOT_FOUND'],
    ['z', 'ok'],
    ['w', 'ok'],
  ]);
});
