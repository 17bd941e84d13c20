/**
 * The Node protocol kit (`sidecars/node-protocol`) through the diff sidecar, driven by the real
 * registry: results within their schemas, INVALID_PARAMS from the sidecar's own check when main's
 * validation is bypassed, protocol errors for bad lines, `$/cancel` answered at once, and
 * streamed requests (in order, ignored when not asked for, cancelled mid-stream).
 */
import { spawn } from 'node:child_process';
import * as readline from 'node:readline';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { diffManifest } from '../sidecars/diff/manifest';
import { makeRegistry, waitFor } from './helpers';

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

describe('streaming in the kit', () => {
  /** A kit sidecar on in-memory streams: `count/up` streams `count` chunks, awaiting each. */
  function kit() {
    // The kit is plain JavaScript without type declarations.
    const { createSidecar } = require('../sidecars/node-protocol');
    const input = new PassThrough();
    const output = new PassThrough();
    const lines: any[] = [];
    readline.createInterface({ input: output }).on('line', (l) => lines.push(JSON.parse(l)));
    let stoppedAt: number | undefined;
    const count = async (p: { count: number }, ctx: any) => {
      if (!ctx.streaming) return { items: Array.from({ length: p.count }, (_, i) => i) };
      for (let i = 0; i < p.count; i++) {
        try {
          await ctx.partial({ items: [i] });
        } catch (e) {
          stoppedAt = i;
          throw e;
        }
        await new Promise((r) => setTimeout(r, 1));
      }
      return { items: [] };
    };
    createSidecar({ name: 'k', version: '1', input, output, exit: () => undefined })
      .streamMethod('count/up', count)
      .method('count/plain', count)
      .serve();
    const send = (m: unknown) => input.write(`${JSON.stringify(m)}\n`);
    return { send, lines, stoppedAt: () => stoppedAt };
  }

  test('chunks in order before the result; ignored without "stream" or for a plain method; describe lists it', async () => {
    const { send, lines } = kit();
    send({ id: '1', method: 'count/up', params: { count: 3 }, stream: true });
    await waitFor(() => lines.some((l) => l.id === '1' && 'result' in l));
    expect(lines.filter((l) => l.id === '1')).toEqual([
      { id: '1', ok: true, partial: { items: [0] } },
      { id: '1', ok: true, partial: { items: [1] } },
      { id: '1', ok: true, partial: { items: [2] } },
      { id: '1', ok: true, result: { items: [] } },
    ]);
    send({ id: '2', method: 'count/up', params: { count: 2 } });
    send({ id: '3', method: 'count/plain', params: { count: 2 }, stream: true });
    send({ id: '4', method: '$/describe', params: {} });
    await waitFor(() => ['2', '3', '4'].every((id) => lines.some((l) => l.id === id && 'result' in l)));
    expect(lines.filter((l) => l.id === '2' || l.id === '3')).toEqual([
      { id: '2', ok: true, result: { items: [0, 1] } },
      { id: '3', ok: true, result: { items: [0, 1] } },
    ]);
    expect(lines.find((l) => l.id === '4').result).toMatchObject({ methods: ['count/up', 'count/plain'], streams: ['count/up'] });
  });

  test('$/cancel mid-stream answers CANCELLED, the handler stops and no chunk follows', async () => {
    const { send, lines, stoppedAt } = kit();
    send({ id: '1', method: 'count/up', params: { count: 100_000 }, stream: true });
    await waitFor(() => lines.filter((l) => l.id === '1').length >= 3);
    send({ id: 'c', method: '$/cancel', params: { id: '1' } });
    await waitFor(() => stoppedAt() !== undefined);
    const mine = lines.filter((l) => l.id === '1');
    const final = mine.findIndex((l) => l.ok === false);
    expect(mine[final].error.code).toBe('CANCELLED');
    expect(final).toBe(mine.length - 1);
    expect(mine.slice(0, final).map((l) => l.partial.items[0])).toEqual(Array.from({ length: final }, (_, i) => i));
    expect(stoppedAt()).toBe(final);
  });
});
