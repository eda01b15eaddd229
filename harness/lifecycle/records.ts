import {
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { isRunId } from './names.js';
import { isAlive } from './process-identity.js';

/**
 * A run's claim on its name prefix, written before it creates anything. `bondlab clean` removes
 * only what belongs to a recorded run whose owner is dead; a namespace named like ours without a
 * record was not made by bondlab (or was already handed back) and is left alone.
 */
export interface RunRecord {
  version: 1;
  id: string;
  pid: number;
  /** Start time of `pid` in clock ticks since boot, so a recycled pid is not taken for the owner. */
  startTime: number;
  startedAt: string;
  argv: string[];
  /** Process groups the run started (guest kernels) to kill if the owner dies. */
  processGroups: number[];
  /**
   * The start time of each group's leader, by group id: once the group is gone its id may be
   * reused, and a group whose leader started at another time is a stranger's. Absent in records
   * written before it: their groups are taken on the id alone.
   */
  processGroupStarts?: Record<string, number>;
  /** Files and folders to remove if the owner dies. */
  paths: string[];
  /**
   * Every namespace the run may have made, listed before it is made. A namespace with the run's
   * prefix that is not listed was made by someone else, and `bondlab clean` leaves it. Absent in
   * records written before it: then every namespace with the run's prefix is taken for the run's.
   */
  netns?: string[];
}

/** Where run records live; tmpfs on every distribution, so a reboot clears them with the objects. */
export function stateDir(): string {
  return process.env.BONDLAB_STATE_DIR ?? '/run/bondlab';
}

function runsDir(): string {
  return join(stateDir(), 'runs');
}

function recordPath(id: string): string {
  return join(runsDir(), `${id}.json`);
}

/** Writes a new record; fails if the id is taken, which makes ids unique among live runs. */
export function claimRecord(record: RunRecord): boolean {
  try {
    mkdirSync(runsDir(), { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw error;
    throw new EnvironmentError(
      `cannot write run records in ${runsDir()} (${code}): a run records itself before it creates anything, so bondlab clean can find it`,
      { hint: 'run bondlab as root (sudo), or point BONDLAB_STATE_DIR at a writable folder' },
    );
  }
  // link() is an exclusive create of a complete file: a concurrent reader never sees it half written.
  const tmp = `${recordPath(record.id)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
  try {
    linkSync(tmp, recordPath(record.id));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Rewrites a record atomically (temp file, then rename). */
export function updateRecord(record: RunRecord): void {
  const tmp = `${recordPath(record.id)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
  renameSync(tmp, recordPath(record.id));
}

export function removeRecord(id: string): void {
  rmSync(recordPath(id), { force: true });
}

export function readRecord(id: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(id), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

/** All records, each with whether its owner still runs. Unreadable files count as dead runs. */
export function listRecords(): { id: string; record: RunRecord | undefined; alive: boolean }[] {
  let names: string[];
  try {
    names = readdirSync(runsDir());
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json') && isRunId(n.slice(0, -5)))
    .map((n) => {
      const id = n.slice(0, -5);
      const record = readRecord(id);
      return { id, record, alive: record !== undefined && isAlive(record.pid, record.startTime) };
    });
}
