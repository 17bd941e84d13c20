/**
 * The same sidecar through ssh to localhost, next to a local one on the same folder: what the
 * transport costs per call. A throwaway OpenSSH server on 127.0.0.1 (the tests' `sshd.ts`) serves
 * a `RemoteTransport`; rows give provisioning on first use (upload) and on reuse (checksum match),
 * start to first index, the `workspace/status` round trip p50/p99 and fuzzy find p50/p99 over the
 * fixed queries, remote as the project figure and local as the peer. Without sshd the rows say
 * `skipped` with the reason. Loopback hides network latency: on a real link add its RTT per call.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { container } from 'tsyringe';
import { createSidecarRegistry, hostTriple, registerSidecarDefaults, RemoteTransport, type ProvisionResult } from 'skaffa-sidecars';
import { registerWorkspaceSidecar, WorkspaceAPIToken } from 'skaffa-sidecars/workspace';
import { sshUnavailable, startSshd } from '../lib/sshd';
import type { Report, Unit } from '../lib/report';
import { openSession, releaseBinary, startAndIndex, type Session } from '../lib/sidecar';
import { nowMs, quantile, summarize, type Summary } from '../lib/stats';
import type { Corpus } from './corpus';
import { QUERIES } from './fuzzy';

const PEER = 'local pipe (same binary, same folder)';

/** A session whose sidecar runs through `transport`. */
function openRemoteSession(root: string, transport: RemoteTransport): Session {
  process.env.SCAFFA_SIDECAR_PATH = releaseBinary;
  const c = container.createChildContainer();
  registerSidecarDefaults(c, { launch: { workspaceRoot: root, transport } });
  registerWorkspaceSidecar(c);
  const registry = createSidecarRegistry(c);
  return { registry, workspace: c.resolve(WorkspaceAPIToken), pid: () => registry.supervisor('workspace').pid, close: () => registry.dispose() };
}

/** p50 and p99 (µs or ms) of `n` sequential runs of `call`, per round. */
async function latency(call: () => Promise<unknown>, rounds: number, n: number, scale: number): Promise<{ p50: number[]; p99: number[] }> {
  const out = { p50: [] as number[], p99: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = nowMs();
      await call();
      xs.push((nowMs() - t) * scale);
    }
    out.p50.push(quantile(xs, 0.5));
    out.p99.push(quantile(xs, 0.99));
  }
  return out;
}

export async function measureRemote(report: Report, tinyRoot: string, corpus: Corpus, work: string, rounds: number, calls: number): Promise<void> {
  type Where = { corpus: string; corpusFiles: number | null };
  const tiny: Where = { corpus: 'tiny workspace', corpusFiles: null };
  const big: Where = { corpus: corpus.label, corpusFiles: corpus.files || null };
  const names: Array<[string, Unit, Where]> = [
    ['remote provisioning via ssh localhost (first use, upload)', 'ms', tiny],
    ['remote start → first index via ssh localhost', 'ms', big],
    ['remote round trip p50 via ssh localhost', 'µs', tiny],
    ['remote round trip p99 via ssh localhost', 'µs', tiny],
    [`remote fuzzy find p50 via ssh localhost (${QUERIES.length} queries)`, 'ms', big],
    [`remote fuzzy find p99 via ssh localhost (${QUERIES.length} queries)`, 'ms', big],
  ];
  const why = sshUnavailable();
  if (why) {
    for (const [name, unit, c] of names) report.add({ name, ...c, unit, project: null, peer: PEER, peerResult: null, skipped: why });
    return;
  }
  const sshd = await startSshd();
  const remoteDir = path.join(work, 'remote-home');
  fs.rmSync(remoteDir, { recursive: true, force: true });
  const sessions: Session[] = [];
  const open = (s: Session) => (sessions.push(s), s);
  try {
    // Provisioning: a fresh remote folder uploads; a second transport finds the file and reuses it.
    const provisions: ProvisionResult[] = [];
    const transport = () => {
      // The local release build for both sides, so only the transport differs.
      const t = new RemoteTransport(sshd.transport(), { remoteDir, binaries: { [hostTriple() ?? 'unknown']: releaseBinary } });
      t.on('provision', (p) => void provisions.push(p));
      return t;
    };
    let provisioned: RemoteTransport | undefined;
    for (let i = 0; i < 2; i++) {
      provisioned = transport();
      const s = open(openRemoteSession(tinyRoot, provisioned));
      await s.registry.start(['workspace']);
      await s.close();
    }
    const [first, reuse] = provisions;
    report.note(`remote: uploaded ${(first.bytes / 1048576).toFixed(1)} MiB (${first.triple}) to ${first.remotePath}; reuse uploaded ${reuse.bytes} bytes`);
    report.add({ name: names[0][0], ...tiny, unit: 'ms', project: summarize([first.durationMs]), peer: 'reuse (checksum matches, no upload)', peerResult: summarize([reuse.durationMs]) });

    // Start to first index, then fuzzy find on the corpus: remote and local side by side. The
    // transport that already provisioned is reused, so the start is ssh connect + index only.
    const remote = open(openRemoteSession(corpus.root, provisioned!));
    const local = open(openSession(corpus.root));
    const starts = { remote: [] as number[], local: [] as number[] };
    const indexed = await startAndIndex(remote);
    starts.remote.push(indexed.ms);
    starts.local.push((await startAndIndex(local)).ms);
    big.corpusFiles = indexed.files;
    report.add({ name: names[1][0], ...big, unit: 'ms', project: summarize(starts.remote), peer: PEER, peerResult: summarize(starts.local) });
    const fuzzy = async (s: Session) => {
      for (const q of QUERIES) await s.workspace.findFiles(q); // warm-up
      let i = 0;
      return latency(() => s.workspace.findFiles(QUERIES[i++ % QUERIES.length], { limit: 50 }), rounds, QUERIES.length, 1);
    };
    const fr = await fuzzy(remote);
    const fl = await fuzzy(local);
    const row = (name: string, unit: Unit, c: Where, p: number[], q: number[]) =>
      report.add({ name, ...c, unit, project: summarize(p) as Summary, peer: PEER, peerResult: summarize(q) as Summary });
    row(names[4][0], 'ms', big, fr.p50, fl.p50);
    row(names[5][0], 'ms', big, fr.p99, fl.p99);
    await remote.close();
    await local.close();

    // Round trip of a validated call on a tiny workspace, where the index plays no part.
    const rt = open(openRemoteSession(tinyRoot, provisioned!));
    const lt = open(openSession(tinyRoot));
    await startAndIndex(rt);
    await startAndIndex(lt);
    const status = (s: Session) => () => s.registry.call('workspace', 'workspace/status', {});
    for (let i = 0; i < 200; i++) await status(rt)();
    for (let i = 0; i < 200; i++) await status(lt)();
    const rr = await latency(status(rt), rounds, calls, 1000);
    const lr = await latency(status(lt), rounds, calls, 1000);
    row(names[2][0], 'µs', tiny, rr.p50, lr.p50);
    row(names[3][0], 'µs', tiny, rr.p99, lr.p99);
  } finally {
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
    await sshd.stop();
    fs.rmSync(remoteDir, { recursive: true, force: true });
  }
}
