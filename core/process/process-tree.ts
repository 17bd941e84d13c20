/**
 * The process tree under a sidecar, read from Linux's `/proc`. Killing a sidecar's process group
 * misses descendants that left the group (a daemon that called `setsid()`), so on Linux main also
 * walks parent links to find every descendant, remembering each one's start time: a pid recorded
 * earlier is signalled later only if it still names the same process, never a newcomer that was
 * given a recycled pid. Elsewhere these functions find nothing and the group kill is all there is.
 */
import * as fs from 'node:fs';

/** One process, identified by its pid and its start time (clock ticks since boot). */
export interface ProcessId {
  pid: number;
  start: string;
}

interface Stat {
  ppid: number;
  pgrp: number;
  start: string;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself contain them.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (f[0] === 'Z') return undefined; // a zombie runs nothing
    return { ppid: Number(f[1]), pgrp: Number(f[2]), start: f[19] };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` and every member of its process group (not `root` itself). */
export function descendants(root: number): ProcessId[] {
  if (process.platform !== 'linux') return [];
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const byParent = new Map<number, number[]>();
  const stats = new Map<number, Stat>();
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    stats.set(pid, stat);
    const siblings = byParent.get(stat.ppid);
    if (siblings) siblings.push(pid);
    else byParent.set(stat.ppid, [pid]);
  }
  const found = new Set<number>();
  const queue = [root];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.pop()!) ?? []) {
      if (found.has(child)) continue;
      found.add(child);
      queue.push(child);
    }
  }
  for (const [pid, stat] of stats) if (stat.pgrp === root && pid !== root) found.add(pid);
  found.delete(root);
  return [...found].map((pid) => ({ pid, start: stats.get(pid)!.start }));
}

/** Sends `signal` to each process that still is the one recorded. */
export function signalAll(processes: Iterable<ProcessId>, signal: NodeJS.Signals): void {
  for (const p of processes) {
    if (readStat(p.pid)?.start !== p.start) continue;
    try {
      process.kill(p.pid, signal);
    } catch {
      /* exited meanwhile */
    }
  }
}
