/**
 * A scripted terminal for in-process prompt tests: keys go in through a stream, frames are drawn
 * into a buffer, and `screen()` is the last frame with colours stripped. `until` polls the screen
 * with a generous deadline instead of sleeping, and fails with what was last on it.
 */
import { PassThrough, Writable } from 'node:stream';

/** A fake terminal: keys go in through `type`, `screen()` is the last frame drawn, colours stripped. */
export function terminal() {
  const input = new PassThrough();
  let drawn = '';
  const output = new Writable({
    write(chunk: Buffer, _enc, cb) {
      drawn += chunk.toString();
      cb();
    },
  });
  // Wide enough that no line wraps (the prompt reads the width the way it reads a terminal's).
  Object.assign(output, { columns: 200, rows: 40 });
  const screen = () => {
    // Each frame starts by erasing the previous one; what follows the last erase is on screen.
    const plain = drawn.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '\u0000');
    const frames = plain.split(/\u0000+/).filter((f) => f.trim() !== '');
    const at = plain.lastIndexOf('Quick open') >= 0 ? plain.slice(plain.lastIndexOf('Quick open')) : (frames.at(-1) ?? '');
    return at.replace(/\u0000/g, '');
  };
  return { io: { input, output }, type: (s: string) => input.write(s), screen };
}

/** Waits until `check()` holds, polling the drawn screen, or fails with what was last on it. */
export async function until(what: string, check: () => boolean, screen: () => string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The prompt's first line (message and typed term). */
export function header(screen: string): string {
  return (screen.split('\n')[0] ?? '').trimEnd();
}

/** The symbol rows (`name  kind  path:line`) of a drawn frame, best first. */
export function symbolRows(screen: string): string[] {
  return screen
    .split('\n')
    .map((l) => /^[❯ ] (\S+ {2}\S+ {2}\S+:\d+)$/.exec(l.trimEnd())?.[1])
    .filter((r): r is string => r !== undefined);
}
