import { readFileSync } from 'node:fs';

/**
 * A process's start time in clock ticks since boot (field 22 of /proc/PID/stat). With the pid, it
 * tells a live owner from a recycled pid.
 */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // A zombie has exited: its owner's objects are orphans.
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  const start = Number(fields[19]);
  return Number.isFinite(start) ? start : undefined;
}

/** Whether the process that was `pid` at `startTime` is still running. */
export function isAlive(pid: number, startTime: number): boolean {
  return processStartTime(pid) === startTime;
}
