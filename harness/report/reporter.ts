import type { RunFile } from '../results/run-file.js';
import type { CaseResult } from '../scenario/result.js';
import type { Progress } from '../scenario/runner.js';

/** What a reporter knows about the run as a whole. */
export interface RunInfo {
  /** e.g. "uml 6.1.176" or "host". */
  kernel: string;
  kernelRelease: string;
  startedAt: string;
  durationMs: number;
  repeat: number;
}

/** What a reporter knew about a run, read back from its run.json. */
export function runInfo(run: RunFile): RunInfo {
  return {
    kernel: run.environment.kernel.label,
    kernelRelease: run.environment.kernel.release,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    repeat: run.repeat,
  };
}

/**
 * Turns a run into output: `progress` as cases go (a terminal's live line, or nothing), `finish`
 * once with every result. Output goes through `out` (stdout); progress through `err` (stderr).
 */
export interface Reporter {
  progress: (p: Progress) => void;
  finish: (results: readonly CaseResult[], info: RunInfo) => void;
}

export interface ReporterIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Whether stderr is a terminal (live progress) or not (plain lines). */
  isTTY: boolean;
  /** For a live line: writes without a newline. */
  errRaw?: (text: string) => void;
}
