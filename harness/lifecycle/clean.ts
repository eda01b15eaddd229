import { rmSync } from 'node:fs';
import type { RunOptions } from '../exec/run.js';
import { parseNetnsName } from './names.js';
import { deleteNetns, listNetns } from './netns.js';
import { killProcessGroup } from './process-group.js';
import { listRecords, removeRecord } from './records.js';

export interface CleanReport {
  /** Dead runs whose leftovers were removed. */
  removedRuns: string[];
  removedNetns: string[];
  killedProcessGroups: number[];
  removedPaths: string[];
  /** Namespaces of runs that are still alive: not touched. */
  keptAlive: string[];
  /** Namespaces named like ours with no run record: not made by bondlab, never touched. */
  leftAlone: string[];
}

/**
 * Removes what runs killed with SIGKILL left behind: their namespaces (and every link, qdisc and
 * process inside), guest process groups and temp paths. Touches nothing of a live run and nothing
 * without a run record.
 */
export async function cleanDeadRuns(options: RunOptions = {}): Promise<CleanReport> {
  const report: CleanReport = {
    removedRuns: [],
    removedNetns: [],
    killedProcessGroups: [],
    removedPaths: [],
    keptAlive: [],
    leftAlone: [],
  };
  const records = listRecords();
  const alive = new Set(records.filter((r) => r.alive).map((r) => r.id));
  const dead = records.filter((r) => !r.alive);
  const deadIds = new Set(dead.map((r) => r.id));

  const doomed: string[] = [];
  for (const netns of listNetns()) {
    const parsed = parseNetnsName(netns);
    if (parsed === undefined) continue;
    if (alive.has(parsed.runId)) report.keptAlive.push(netns);
    else if (deadIds.has(parsed.runId)) doomed.push(netns);
    else report.leftAlone.push(netns);
  }
  // Guests first: a guest may hold a namespace's processes or a temp path open.
  for (const { record } of dead) {
    for (const pgid of record?.processGroups ?? []) {
      if (killProcessGroup(pgid)) report.killedProcessGroups.push(pgid);
    }
  }
  report.removedNetns = await deleteNetns(doomed, options);
  for (const { id, record } of dead) {
    for (const path of record?.paths ?? []) {
      rmSync(path, { recursive: true, force: true });
      report.removedPaths.push(path);
    }
    removeRecord(id);
    report.removedRuns.push(id);
  }
  return report;
}
