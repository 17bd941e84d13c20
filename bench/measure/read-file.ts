/**
 * readFile of a 1 MB and a 10 MB text file: through the sidecar (`workspace.readFile`, which also
 * hashes the content and sends it as a JSON string main must parse) against `fs.promises.readFile`
 * in main, both decoding UTF-8 into a JS string. Warm: each is read once before timing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { goals, type Report } from '../lib/report';
import { openSession, startAndIndex } from '../lib/sidecar';
import { nowMs, summarize } from '../lib/stats';

/** Writes `bytes` of source-like ASCII text (lines of ~60 chars). */
function writeText(file: string, bytes: number): void {
  const line = 'export const value = computeSomething(alpha, beta, gamma); // x\n';
  const buf = Buffer.alloc(bytes, line);
  fs.writeFileSync(file, buf);
}

export async function measureReadFile(report: Report, smallRoot: string, rounds: number): Promise<void> {
  const sizes = [
    { label: '1 MB', name: 'read-1mb.txt', bytes: 1 << 20 },
    { label: '10 MB', name: 'read-10mb.txt', bytes: 10 << 20 },
  ];
  for (const f of sizes) if (!fs.existsSync(path.join(smallRoot, f.name))) writeText(path.join(smallRoot, f.name), f.bytes);
  const s = openSession(smallRoot);
  try {
    await startAndIndex(s);
    for (const f of sizes) {
      const abs = path.join(smallRoot, f.name);
      const project: number[] = [];
      const peer: number[] = [];
      await s.workspace.readFile(f.name);
      await fs.promises.readFile(abs, 'utf8');
      for (let r = 0; r < rounds; r++) {
        let t = nowMs();
        const got = await s.workspace.readFile(f.name);
        project.push(nowMs() - t);
        if (got.content.length !== f.bytes) throw new Error(`readFile ${f.name}: got ${got.content.length} chars`);
        t = nowMs();
        await fs.promises.readFile(abs, 'utf8');
        peer.push(nowMs() - t);
      }
      report.add(
        { name: `readFile ${f.label}`, corpus: 'tiny workspace', corpusFiles: null, unit: 'ms', project: summarize(project), peer: 'fs.readFile in main', peerResult: summarize(peer) },
        goals.ratioAtMost(3, '≤ 3× in-process'),
      );
    }
  } finally {
    await s.close();
  }
}
