/**
 * A workspace whose first scan the test holds: the sidecar's test seam
 * (`SKAFFA_WORKSPACE_TEST_HOLD_SCAN=<files>:<path>`) stops the walk once it has found `<files>`
 * files, until `<path>` exists under the root. The release file goes under `.git/`, which is never
 * indexed, so releasing changes nothing the tests look at. "During the first scan" is then a
 * state the test controls, not a race against a fast machine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeWorkspace, openWorkspace, writeFile } from './fixture';

const HOLD = 'SKAFFA_WORKSPACE_TEST_HOLD_SCAN';
export const HOLD_AFTER = 20;

/** 300 generated files (`d<i%4>/sub<i%3>/fileNNN.txt`) next to the usual fixture files. */
export function heldTree(): { root: string; ours: string[] } {
  const ours: string[] = [];
  for (let i = 0; i < 300; i++) ours.push(`d${i % 4}/sub${i % 3}/file${String(i).padStart(3, '0')}.txt`);
  const root = makeWorkspace(Object.fromEntries(ours.map((p) => [p, 'x'])));
  fs.mkdirSync(path.join(root, '.git'), { recursive: true });
  return { root, ours };
}

/**
 * A WorkspaceAPI on `root` whose sidecar (spawned on the first call) holds its first scan after
 * `HOLD_AFTER` files; `release()` lets it finish. The variable reaches the sidecar through main's
 * environment, so it is set until `clearHold()` (call it in `afterEach`).
 */
export function openHeld(root: string): ReturnType<typeof openWorkspace> & { release(): void } {
  process.env[HOLD] = `${HOLD_AFTER}:.git/release-scan`;
  return { ...openWorkspace(root), release: () => writeFile(root, '.git/release-scan', '') };
}

export function clearHold(): void {
  delete process.env[HOLD];
}
