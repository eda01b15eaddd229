import { formatError } from '../errors.js';
import type { RunFile } from './run-file.js';

/**
 * Writes report.md, report.html and junit.xml beside a run.json that is already saved. A failure
 * is said on `err` and returned as false (the caller's exit status becomes at least 1), never
 * thrown: the run.json stays, and `bondlab report FOLDER` writes the reports again.
 */
export async function writeReportsBeside(
  folder: string,
  run: RunFile,
  err: (line: string) => void,
): Promise<boolean> {
  try {
    // Loaded when used: the HTML report brings vega along, which a guest never needs.
    const { writeRunReports } = await import('../report/write-reports.js');
    for (const path of await writeRunReports(folder, run)) err(`report: ${path}`);
    return true;
  } catch (error) {
    err(
      `bondlab: the reports beside ${folder}/run.json were not written (run.json is kept; \`bondlab report ${folder}\` tries again): ${formatError(error)}`,
    );
    return false;
  }
}
