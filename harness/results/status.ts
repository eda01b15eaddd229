import { hostname } from 'node:os';
import { isAlive } from '../lifecycle/process-identity.js';
import type { RunFile, RunStatus } from './run-file.js';

/**
 * Whether the process that writes a `running` run.json is still there. Only on its own machine
 * can that be known; a copy elsewhere (a CI artifact, say) is a snapshot no one will finish.
 */
export function writerAlive(run: RunFile): boolean {
  const w = run.writer;
  return w !== undefined && w.hostname === hostname() && isAlive(w.pid, w.startTime);
}

/**
 * The status readers report: the file's, except that `running` whose writer is gone (killed
 * outright, the machine rebooted, the file copied away) is `interrupted`.
 */
export function effectiveStatus(run: RunFile): RunStatus {
  if (run.status !== 'running') return run.status;
  return writerAlive(run) ? 'running' : 'interrupted';
}

/** Why the run stopped, as readers say it: the file's reason, or the writer's disappearance. */
export function effectiveStopReason(run: RunFile): string | undefined {
  if (run.status !== 'running' || effectiveStatus(run) === 'running') return run.stopReason;
  const w = run.writer;
  const who = w === undefined ? 'its writer' : `its writer (pid ${w.pid} on ${w.hostname})`;
  return `run.json still says running, but ${who} is gone: the run was killed before it finished (${run.cases.length} of ${run.planned.length} cases recorded)`;
}
