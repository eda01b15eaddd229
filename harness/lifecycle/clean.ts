import { rmSync } from 'node:fs';
import type { RunOptions } from '../exec/run.js';
import { parseNetnsName } from './names.js';
import { deleteNetns, listNetns } from './netns.js';
import { killProcessGroup } from './process-group.js';
import { processStartTime } from './process-identity.js';
import { listRecords, removeRecord, type RunRecord } from './records.js';

export interface CleanReport {
  /** Dead runs whose leftovers were removed. */
  removedRuns: string[];
  removedNetns: string[];
  killedProcessGroups: number[];
  removedPaths: string[];
  /** Namespaces of runs that are still alive: not touched. */
  keptAlive: string[];
  /**
   * Namespaces named like ours that no run record lists (no record for their id, or a dead run's
   * record that does not list them): not made by bondlab, never touched.
   */
  leftAlone: string[];
  /** Process groups a dead run recorded whose id now belongs to another process: not killed. */
  leftAloneProcessGroups: number[];
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
    leftAloneProcessGroups: [],
  };
  const records = listRecords();
  const alive = new Set(records.filter((r) => r.alive).map((r) => r.id));
  const dead = records.filter((r) => !r.alive);
  const deadById = new Map(dead.map((r) => [r.id, r.record]));

  const doomed: string[] = [];
  for (const netns of listNetns()) {
    const parsed = parseNetnsName(netns);
    if (parsed === undefined) continue;
    if (alive.has(parsed.runId)) report.keptAlive.push(netns);
    else if (deadById.has(parsed.runId) && madeBy(deadById.get(parsed.runId), netns))
      doomed.push(netns);
    else report.leftAlone.push(netns);
  }
  // Guests first: a guest may hold a namespace's processes or a temp path open.
  for (const { record } of dead) {
    if (record === undefined) continue;
    for (const pgid of record.processGroups) {
      if (!stillOurs(record, pgid)) report.leftAloneProcessGroups.push(pgid);
      else if (killProcessGroup(pgid)) report.killedProcessGroups.push(pgid);
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

/** Whether a dead run made `netns`: its record lists it (older records list none: the prefix decides). */
function madeBy(record: RunRecord | undefined, netns: string): boolean {
  return record?.netns === undefined || record.netns.includes(netns);
}

/**
 * Whether group `pgid` is still the one the run started. Linux does not reuse an id while a group
 * has it, so a group without its leader is still ours; a live leader must have the recorded start.
 */
function stillOurs(record: RunRecord, pgid: number): boolean {
  const recorded = record.processGroupStarts?.[String(pgid)];
  if (recorded === undefined) return true;
  const now = processStartTime(pgid);
  return now === undefined || now === recorded;
}
