/**
 * A program whose only pending work is a call waiting for a sidecar's restart must not exit
 * before the call settles: the backoff timer and the call's timeout keep the process alive, while
 * background timers (health pings) do not.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBuilt, REPO } from './cli/cli-harness';

test('a short-lived caller waits through a crash, backoff and retry', () => {
  ensureBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skaffa-keepalive-'));
  try {
    const out = execFileSync(process.execPath, [path.join(REPO, 'dist/test/fixtures/short-lived-caller.js'), path.join(dir, 'marker')], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(JSON.parse(out)).toEqual({ value: 'after restart' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
