/**
 * The parse-rate peer: TypeScript's own `createSourceFile` (npm `typescript`, the root dev
 * dependency) over the same files the analysis sidecar parses, in a child Node process so a
 * previous round's heap and JIT state are not shared with the next. It reads every file first and
 * times only the parses (the sidecar's figure includes its reads, so this favours the peer), keeps
 * the trees alive like an index would, and prints one JSON line: {ms, files, bytes, rssMb}.
 * Usage: node ts-parse-child.js <root> <file listing one workspace-relative path a line>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

function kind(file: string): ts.ScriptKind {
  if (file.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(file)) return ts.ScriptKind.TS;
  // JSX is allowed in .js files, as the sidecar parses them.
  return ts.ScriptKind.JSX;
}

function main(): void {
  const [root, list] = process.argv.slice(2);
  const files = fs.readFileSync(list, 'utf8').split('\n').filter(Boolean);
  const texts = files.map((f) => fs.readFileSync(path.join(root, f), 'utf8'));
  const kept: ts.SourceFile[] = [];
  const t = performance.now();
  for (let i = 0; i < files.length; i++) {
    kept.push(ts.createSourceFile(files[i], texts[i], ts.ScriptTarget.Latest, false, kind(files[i])));
  }
  const ms = performance.now() - t;
  const bytes = texts.reduce((n, s) => n + Buffer.byteLength(s), 0);
  process.stdout.write(JSON.stringify({ ms, files: kept.length, bytes, rssMb: process.memoryUsage().rss / 2 ** 20 }) + '\n');
}

main();
