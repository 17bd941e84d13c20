/**
 * A program whose only pending work is a call waiting for a sidecar's restart must not exit
 * before the call settles: the backoff timer and the call's timeout keep the process alive, while
 * background timers (health pings) do not. And once `dispose()` resolved, nothing of the
 * registry keeps a program alive, not even a call made while the dispose ran.
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

test('after dispose() nothing keeps the program alive, and a call made during it failed at once', () => {
  ensureBuilt();
  // The calls' own timeouts are two minutes: finishing within the 60 s limit means no timer was left.
  const out = execFileSync(process.execPath, [path.join(REPO, 'dist/test/fixtures/dispose-caller.js')], { encoding: 'utf8', timeout: 60_000 });
  expect(JSON.parse(out)).toEqual({ inFlight: 'SIDECAR_UNAVAILABLE', during: 'SIDECAR_UNAVAILABLE' });
});
