/**
 * The Skaffa sidecar protocol for sidecars written in Node: the counterpart of the Rust crate in
 * `sidecars/protocol`, in one dependency-free file. It frames NDJSON on stdin/stdout with a line
 * size limit, answers the built-ins (`$/ping`, `$/cancel`, `$/shutdown`, `$/describe`), turns bad
 * input into PARSE_ERROR / INVALID_REQUEST / METHOD_NOT_FOUND answers without stopping, gives each
 * handler an AbortSignal that `$/cancel` fires, lets methods registered with `streamMethod` send
 * partial answers when a request asks to stream, and exits when stdin closes (the orphan rule),
 * taking down every process it started first (the children rule). See docs/protocol.md.
 */
'use strict';
const fs = require('node:fs');

/** Default limit of one input line: 64 MiB, as in the Rust crate. */
const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * The children rule: before exiting, take down every process this sidecar started. On Linux each
 * descendant is found through /proc parent links (that reaches grandchildren that called setsid(),
 * as long as their parent lives) together with the members of this process's group. Elsewhere on
 * POSIX the process group gets SIGTERM (this process ignores it, being about to exit). Windows
 * offers nothing to a dependency-free script; main's `taskkill /T` covers a graceful stop there.
 */
function killChildren() {
  if (process.platform === 'linux') {
    const parentOf = new Map();
    const group = [];
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        parentOf.set(Number(name), Number(f[1]));
        if (Number(f[2]) === process.pid) group.push(Number(name));
      } catch {
        /* exited meanwhile */
      }
    }
    const victims = new Set(group);
    const isDescendant = (pid) => {
      for (let p = parentOf.get(pid), hops = 0; p !== undefined && hops < 1000; p = parentOf.get(p), hops++) if (p === process.pid) return true;
      return false;
    };
    for (const pid of parentOf.keys()) if (isDescendant(pid)) victims.add(pid);
    victims.delete(process.pid);
    for (const pid of victims) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  } else if (process.platform !== 'win32') {
    try {
      process.on('SIGTERM', () => undefined);
      process.kill(-process.pid, 'SIGTERM');
    } catch {
      /* not a group leader: there is no group of ours to signal */
    }
  }
}

/** An error a handler throws to answer with a specific code (e.g. INVALID_PARAMS). */
class MethodError extends Error {
  /**
   * @param {string} code wire error code
   * @param {string} message for people
   * @param {unknown} [data] optional structured details
   */
  constructor(code, message, data) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

/**
 * Creates a sidecar. Register methods with `method(name, handler, validate?)` (or
 * `streamMethod(...)` for one that can stream), then `serve()`. A handler gets `(params, ctx)`
 * with `ctx.id`, `ctx.signal`, `ctx.emit(event, data)`, `ctx.streaming` (true when the method
 * streams and the request asked for it) and `ctx.partial(chunk)`, and returns a result or a
 * promise of one. `ctx.partial` sends one chunk ahead of the result and returns a promise that
 * resolves once the output has room again (await it for back-pressure); it throws a
 * MethodError CANCELLED once the request was cancelled, and INTERNAL when the request is not
 * streaming. `validate(params)` returns an error message or null.
 * `containChildren` (default: true when serving the real stdin) applies the children rule on exit.
 * @param {{ name: string, version: string, maxLineBytes?: number, input?: NodeJS.ReadableStream, output?: NodeJS.WritableStream, exit?: (code: number) => void, containChildren?: boolean }} options
 */
function createSidecar(options) {
  const input = options.input || process.stdin;
  const output = options.output || process.stdout;
  const contain = options.containChildren ?? !options.input;
  const exitNow = options.exit || ((code) => process.exit(code));
  const exit = (code) => {
    if (contain) killChildren();
    exitNow(code);
  };
  const maxLineBytes = options.maxLineBytes || DEFAULT_MAX_LINE_BYTES;
  /** @type {Map<string, { handler: Function, validate?: Function, streams?: boolean }>} */
  const methods = new Map();
  /** @type {Map<string, AbortController>} */
  const inflight = new Map();

  const send = (msg) => output.write(`${JSON.stringify(msg)}\n`);
  const ok = (id, result) => send({ id, ok: true, result });
  const fail = (id, code, message, data) => send({ id, ok: false, error: data === undefined ? { code, message } : { code, message, data } });
  const emit = (event, data) => send({ event, data });

  function dispatch(msg) {
    const { id, method, params } = msg;
    switch (method) {
      case '$/ping':
        return ok(id, {});
      case '$/describe': {
        const streams = [...methods].filter(([, m]) => m.streams).map(([n]) => n);
        const describe = { name: options.name, version: options.version, methods: [...methods.keys()] };
        return ok(id, streams.length > 0 ? { ...describe, streams } : describe);
      }
      case '$/shutdown':
        ok(id, {});
        return output.write('', () => exit(0));
      case '$/cancel': {
        const target = params && typeof params.id === 'string' ? inflight.get(params.id) : undefined;
        if (target) {
          inflight.delete(params.id);
          target.abort();
          fail(params.id, 'CANCELLED', 'the request was cancelled');
        }
        return ok(id, {});
      }
    }
    const entry = methods.get(method);
    if (!entry) return fail(id, 'METHOD_NOT_FOUND', `no method ${method}`);
    const problem = entry.validate ? entry.validate(params) : null;
    if (problem) return fail(id, 'INVALID_PARAMS', problem);
    const controller = new AbortController();
    inflight.set(id, controller);
    const streaming = msg.stream === true && entry.streams === true;
    const partial = (chunk) => {
      if (!streaming) throw new MethodError('INTERNAL', 'partial() was called for a request that did not ask to stream (check ctx.streaming)');
      // Cancelled (and answered) already: no chunk may follow the final answer.
      if (inflight.get(id) !== controller) throw new MethodError('CANCELLED', 'the request was cancelled');
      if (send({ id, ok: true, partial: chunk })) return Promise.resolve();
      return new Promise((resolve) => output.once('drain', resolve));
    };
    Promise.resolve()
      .then(() => entry.handler(params, { id, signal: controller.signal, emit, streaming, partial }))
      .then(
        (result) => inflight.delete(id) && ok(id, result === undefined ? {} : result),
        (e) => {
          // A cancelled request was already answered; its late failure is dropped like its result.
          if (!inflight.delete(id)) return;
          if (e instanceof MethodError) fail(id, e.code, e.message, e.data);
          else {
            process.stderr.write(`${options.name}: ${method} failed: ${(e && e.stack) || e}\n`);
            fail(id, 'INTERNAL', String((e && e.message) || e));
          }
        },
      );
  }

  function onLine(text) {
    if (text.trim() === '') return;
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return fail(null, 'PARSE_ERROR', 'the line is not valid JSON');
    }
    const valid =
      msg && typeof msg === 'object' && !Array.isArray(msg) && typeof msg.id === 'string' && typeof msg.method === 'string' &&
      (msg.params === undefined || (msg.params && typeof msg.params === 'object' && !Array.isArray(msg.params))) &&
      // "stream": absent, false or null means no; any other value is INVALID_REQUEST (docs/protocol.md).
      (msg.stream === undefined || msg.stream === null || typeof msg.stream === 'boolean');
    if (!valid) {
      const id = msg && typeof msg === 'object' && typeof msg.id === 'string' ? msg.id : null;
      return fail(id, 'INVALID_REQUEST', 'expected {"id": string, "method": string, "params": object}');
    }
    if (msg.params === undefined) msg.params = {};
    dispatch(msg);
  }

  function serve() {
    let pending = [];
    let pendingBytes = 0;
    let discarding = false;
    input.on('data', (chunk) => {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
        if (discarding) discarding = false;
        else onLine(Buffer.concat([...pending, chunk.subarray(start, nl)]).toString('utf8'));
        pending = [];
        pendingBytes = 0;
        start = nl + 1;
      }
      if (start < chunk.length && !discarding) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > maxLineBytes) {
          fail(null, 'INVALID_REQUEST', `line longer than ${maxLineBytes} bytes`);
          pending = [];
          pendingBytes = 0;
          discarding = true;
        }
      }
    });
    // Orphan rule: main is gone when stdin closes.
    input.on('end', () => output.write('', () => exit(0)));
  }

  return {
    method(name, handler, validate) {
      methods.set(name, { handler, validate });
      return this;
    },
    /** Like `method`, for a method that honours `"stream": true` (listed under `streams` by `$/describe`). */
    streamMethod(name, handler, validate) {
      methods.set(name, { handler, validate, streams: true });
      return this;
    },
    emit,
    serve,
  };
}

module.exports = { createSidecar, MethodError, DEFAULT_MAX_LINE_BYTES };
