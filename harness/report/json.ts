import type { CaseResult } from '../scenario/result.js';
import type { Reporter, ReporterIo, RunInfo } from './reporter.js';

/** For machines: the whole run as one JSON document on stdout, at the end. */
export function jsonReporter(io: ReporterIo): Reporter {
  return {
    progress: () => undefined,
    finish(results: readonly CaseResult[], info: RunInfo) {
      io.out(JSON.stringify({ ...info, cases: results }, null, 2));
    },
  };
}
