/**
 * Watches the processes a sidecar starts, for the children rule. A process that called `setsid()`
 * and whose parent then exited is no longer linked to the sidecar, so the table is polled while
 * the sidecar runs and every process whose ancestry went through the sidecar (or through one seen
 * before), or that shares its process group or session, is remembered with its start time; after
 * the sidecar exits, the ones still alive (same pid, same start time) are its leftovers.
 * Linux reads `/proc`; macOS and other Unixes run `ps`; Windows runs `wmic`. What each cannot see
 * is said in `limits`, which the report repeats.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';

/** One row of the process table. `start` tells a pid apart from a later process given the same pid. */
export interface ProcessRow {
  pid: number;
  ppid: number;
  pgid?: number;
  sid?: number;
  start: string;
  command: string;
}

/** What the polling cannot see on this platform, or why it cannot run at all. */
export function processTableLimits(): string {
  if (process.platform === 'linux') return 'a descendant that left the session and lost its parent between two polls of /proc is not seen';
  if (process.platform === 'win32') return 'Windows: read with wmic every 500 ms; processes that lost their parent between two polls are not seen';
  return `${process.platform}: read with ps every 500 ms; a descendant that left the process group and lost its parent between two polls is not seen`;
}

function procRow(name: string): ProcessRow | undefined {
  try {
    const text = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself contain them.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (f[0] === 'Z' || f[0] === 'X') return undefined; // a zombie runs nothing
    let command = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    try {
      command = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim() || command;
    } catch {
      /* keep the short name */
    }
    return { pid: Number(name), ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]), start: f[19], command };
  } catch {
    return undefined; // it exited while we looked
  }
}

function run(command: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { windowsHide: true, maxBuffer: 16 * 1024 * 1024 }, (e, stdout) => resolve(e ? undefined : stdout));
  });
}

/** The whole process table, or undefined when it cannot be read here. */
export async function readProcessTable(): Promise<ProcessRow[] | undefined> {
  if (process.platform === 'linux') {
    return fs
      .readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(procRow)
      .filter((r): r is ProcessRow => r !== undefined);
  }
  if (process.platform === 'win32') {
    const out = await run('wmic', ['process', 'get', 'ProcessId,ParentProcessId,CreationDate,Name', '/format:csv']);
    if (out === undefined) return undefined;
    // Node,CreationDate,Name,ParentProcessId,ProcessId (columns in alphabetical order).
    return out
      .split(/\r?\n/)
      .map((l) => l.split(','))
      .filter((f) => f.length >= 5 && /^\d+$/.test(f[4]))
      .map((f) => ({ pid: Number(f[4]), ppid: Number(f[3]), start: f[1], command: f[2] }));
  }
  const out = await run('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat=,lstart=,comm=']);
  if (out === undefined) return undefined;
  const rows: ProcessRow[] = [];
  for (const line of out.split('\n')) {
    // lstart is five words, e.g. "Mon Nov 24 10:01:02 2025".
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+\s+\S+\s+\S+\s+\S+\s+\S+)\s+(.*)$/.exec(line);
    if (m && !m[4].startsWith('Z')) rows.push({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), start: m[5], command: m[6] });
  }
  return rows;
}

/** Polls the table while a sidecar runs and remembers everything it started. */
export class ProcessWatcher {
  /** Every process seen under the sidecar, by `pid:start`. */
  readonly seen = new Map<string, ProcessRow>();
  /** False when the table could not be read at all (the rule is then not checked). */
  readable = true;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly root: number) {}

  /** Starts polling every `intervalMs` (100 ms on Linux, 500 ms where a poll spawns a program). */
  start(intervalMs = process.platform === 'linux' ? 100 : 500): void {
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at the table (concurrent calls share the one in progress). */
  poll(): Promise<void> {
    this.polling ??= readProcessTable()
      .then((rows) => {
        if (rows) this.note(rows);
        else this.readable = false;
      })
      .finally(() => (this.polling = undefined));
    return this.polling;
  }

  private note(rows: ProcessRow[]): void {
    const byPid = new Map(rows.map((r) => [r.pid, r]));
    const known = new Set([this.root, ...[...this.seen.values()].filter((r) => byPid.get(r.pid)?.start === r.start).map((r) => r.pid)]);
    const under = (row: ProcessRow): boolean => {
      if (row.pgid === this.root || row.sid === this.root) return true;
      let hops = 0;
      for (let p = byPid.get(row.ppid); p && hops < 1000; p = byPid.get(p.ppid), hops++) {
        if (known.has(p.pid)) return true;
        if (p.pid === p.ppid) break;
      }
      return known.has(row.ppid);
    };
    for (const row of rows) if (row.pid !== this.root && row.pid !== process.pid && under(row)) this.seen.set(`${row.pid}:${row.start}`, row);
  }

  /** The processes seen so far that still run (same pid, same start time). */
  async survivors(): Promise<ProcessRow[]> {
    const rows = await readProcessTable();
    if (!rows) return [];
    const alive = new Set(rows.map((r) => `${r.pid}:${r.start}`));
    return [...this.seen].filter(([key]) => alive.has(key)).map(([, row]) => row);
  }

  /** SIGKILLs every survivor and the sidecar's group, and waits (up to 5 s) until they are gone:
   * the checker never leaves processes behind. */
  async killAll(): Promise<void> {
    const deadline = Date.now() + 5_000;
    for (let left = await this.survivors(); left.length > 0 && Date.now() < deadline; left = await this.survivors()) {
      this.signal(left);
      await new Promise((r) => setTimeout(r, 20));
    }
    this.signal([]);
  }

  private signal(rows: ProcessRow[]): void {
    for (const row of rows) {
      try {
        if (process.platform === 'win32') execFile('taskkill', ['/pid', String(row.pid), '/T', '/F'], { windowsHide: true }, () => undefined);
        else process.kill(row.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (process.platform !== 'win32') {
      try {
        process.kill(-this.root, 'SIGKILL');
      } catch {
        /* the group is gone */
      }
    }
  }
}
