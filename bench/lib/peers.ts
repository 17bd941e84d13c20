/**
 * Loading the npm peers (fdir, fast-glob, fzf, chokidar, @parcel/watcher, vscode-jsonrpc). They
 * live in bench/peers/node_modules, installed by the bench's setup step, not by the root `npm ci`,
 * so it stays lean; compiled bench code runs from bench/dist and would not find them by plain
 * `require`, hence a require rooted at the peers' own package.json. They carry no types
 * here on purpose (the root typecheck must pass without them installed), so callers get `any`.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { peersDir } from './proc';

const benchRequire = createRequire(path.join(peersDir, 'package.json'));

/** `require` a CommonJS peer from bench/peers/node_modules. */
export function peerRequire(name: string): any {
  return benchRequire(name);
}

/** Whether a peer package is installed. */
export function hasPeer(name: string): boolean {
  try {
    benchRequire.resolve(name);
    return true;
  } catch {
    return false;
  }
}

// TypeScript compiles `import()` to `require()` under CommonJS; this keeps a real dynamic import
// for ESM-only peers (npm `fzf` is `"type": "module"`, so its UMD file cannot be required).
const dynamicImport = new Function('u', 'return import(u)') as (u: string) => Promise<any>;

/** `import` an ESM peer's file (path relative to its package folder). */
export function peerImport(pkg: string, file: string): Promise<any> {
  return dynamicImport(pathToFileURL(path.join(peersDir, 'node_modules', pkg, file)).href);
}
