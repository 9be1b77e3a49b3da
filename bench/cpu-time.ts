import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU milliseconds (user + system) a process has used so far; undefined off Linux or once it is gone. */
export function cpuMs(pid: number): number | undefined {
  const stat = procStat(pid);
  return stat && ((stat.utime + stat.stime) * 1000) / TICKS_PER_SECOND;
}

/** Every process named `postgres` (the server and its backends): where the store's CPU goes. */
export function postgresCpuMs(): number {
  let total = 0;
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += cpuMs(Number(entry)) ?? 0;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/**
 * CPU milliseconds of a process and every descendant (a browser: its zygotes, renderers, GPU
 * process), counting children that already exited: a reaped child's time moves to its parent's
 * cutime and cstime, so those are summed too and a page's renderer is counted after it is gone.
 */
export function processTreeCpuMs(rootPid: number): number {
  const children = new Map<number, number[]>();
  const times = new Map<number, number>();
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = procStat(pid);
    if (!stat) continue; // gone meanwhile
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(pid);
    else children.set(stat.ppid, [pid]);
    times.set(pid, stat.utime + stat.stime + stat.cutime + stat.cstime);
  }
  let ticks = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    ticks += times.get(pid) ?? 0;
    pending.push(...(children.get(pid) ?? []));
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** The fields of /proc/<pid>/stat this file uses, in clock ticks; undefined off Linux or once the process is gone. */
function procStat(pid: number): { ppid: number; utime: number; stime: number; cutime: number; cstime: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // After the parenthesised command name (which may hold spaces): ppid is the 2nd field;
  // utime, stime, cutime and cstime the 12th to 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return { ppid: fields[1]!, utime: fields[11]!, stime: fields[12]!, cutime: fields[13]!, cstime: fields[14]! };
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
