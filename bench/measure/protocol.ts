/**
 * Protocol round trip and throughput. Project: `registry.call('workspace', 'workspace/status')`,
 * which is validated by ajv on the way out and on the way back (built-ins like `$/ping` skip
 * validation, so they would flatter the figure), on a tiny workspace. Peers: the raw NDJSON floor
 * (a C child that answers each line, with the thinnest possible Node client here) and
 * vscode-jsonrpc over stdio. Sequential: one call at a time, p50 and p99 per round. Pipelined: N
 * calls issued at once, messages per second until the last answer.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { peerRequire } from '../lib/peers';
import { goals, type Report } from '../lib/report';
import { openSession, startAndIndex } from '../lib/sidecar';
import { nowMs, quantile, summarize } from '../lib/stats';
import type { Tools } from '../setup';

type Call = () => Promise<unknown>;

interface Client {
  call: Call;
  close(): Promise<void>;
}

/** The thinnest NDJSON client: one write per request, split lines, JSON.parse, match by id. */
function rawClient(binary: string): Client {
  const child: ChildProcessWithoutNullStreams = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pending = new Map<string, (v: unknown) => void>();
  let next = 0;
  let rest = '';
  child.stdout.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const msg = JSON.parse(line) as { id: string; result: unknown };
      const done = pending.get(msg.id);
      pending.delete(msg.id);
      done?.(msg.result);
    }
  });
  return {
    call: () =>
      new Promise((resolve) => {
        const id = String(++next);
        pending.set(id, resolve);
        child.stdin.write(JSON.stringify({ id, method: 'workspace/status', params: {} }) + '\n');
      }),
    close: async () => {
      child.stdin.end();
      await new Promise((r) => child.once('close', r));
    },
  };
}

function jsonrpcClient(): Client {
  const rpc = peerRequire('vscode-jsonrpc/node');
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'peers', 'jsonrpc-echo.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  conn.listen();
  return {
    call: () => conn.sendRequest('workspace/status', {}),
    close: async () => {
      conn.dispose();
      child.stdin.end();
      await new Promise((r) => child.once('close', r));
    },
  };
}

interface Figures {
  p50us: number[];
  p99us: number[];
  perSec: number[];
}

async function drive(call: Call, rounds: number, sequential: number, pipelined: number): Promise<Figures> {
  const f: Figures = { p50us: [], p99us: [], perSec: [] };
  for (let i = 0; i < 200; i++) await call(); // warm-up: JIT, ajv, pipes
  for (let r = 0; r < rounds; r++) {
    const xs: number[] = [];
    for (let i = 0; i < sequential; i++) {
      const t = nowMs();
      await call();
      xs.push((nowMs() - t) * 1000);
    }
    f.p50us.push(quantile(xs, 0.5));
    f.p99us.push(quantile(xs, 0.99));
    const t = nowMs();
    await Promise.all(Array.from({ length: pipelined }, call));
    f.perSec.push(pipelined / ((nowMs() - t) / 1000));
  }
  return f;
}

export async function measureProtocol(report: Report, smallRoot: string, tools: Tools, rounds: number, sequential: number, pipelined: number): Promise<void> {
  const s = openSession(smallRoot);
  const results = new Map<string, Figures>();
  try {
    await startAndIndex(s);
    const peers: Array<{ name: string; key: string; open: () => Client }> = [
      { name: 'raw NDJSON echo (C)', key: 'raw C echo', open: () => rawClient(tools.echoBinary!) },
      { name: 'vscode-jsonrpc', key: 'vscode-jsonrpc', open: jsonrpcClient },
    ];
    // Rounds alternate project and peers so a noisy moment hits them alike.
    for (let r = 0; r < rounds; r++) {
      const add = (name: string, f: Figures) => {
        const acc = results.get(name) ?? { p50us: [], p99us: [], perSec: [] };
        acc.p50us.push(...f.p50us);
        acc.p99us.push(...f.p99us);
        acc.perSec.push(...f.perSec);
        results.set(name, acc);
      };
      add('project', await drive(() => s.registry.call('workspace', 'workspace/status', {}), 1, sequential, pipelined));
      for (const p of peers) {
        if (tools.available[p.key] !== true) continue;
        const c = p.open();
        try {
          add(p.name, await drive(c.call, 1, sequential, pipelined));
        } finally {
          await c.close();
        }
      }
    }
    const project = results.get('project')!;
    const corpus = { corpus: 'tiny workspace', corpusFiles: null };
    for (const p of peers) {
      const f = results.get(p.name);
      const skipped = tools.available[p.key] === true ? undefined : String(tools.available[p.key]);
      const raw = p.key === 'raw C echo';
      report.add({ name: 'protocol round trip p50', ...corpus, unit: 'µs', project: summarize(project.p50us), peer: p.name, peerResult: f ? summarize(f.p50us) : null, skipped }, raw ? goals.ratioAtMost(1.3, '≤ 1.3× raw') : undefined);
      report.add({ name: 'protocol round trip p99', ...corpus, unit: 'µs', project: summarize(project.p99us), peer: p.name, peerResult: f ? summarize(f.p99us) : null, skipped }, raw ? goals.ratioAtMost(1.3, '≤ 1.3× raw') : undefined);
    }
    for (const p of peers) {
      const f = results.get(p.name);
      const skipped = tools.available[p.key] === true ? undefined : String(tools.available[p.key]);
      const goal = p.key === 'vscode-jsonrpc' ? goals.ratioAtLeast(4, '≥ 4× vscode-jsonrpc') : undefined;
      report.add({ name: `protocol throughput (${pipelined} pipelined)`, ...corpus, unit: 'msg/s', project: summarize(project.perSec), peer: p.name, peerResult: f ? summarize(f.perSec) : null, skipped }, goal);
    }
  } finally {
    await s.close();
  }
}
