import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatError } from '../errors.js';
import { checkGuestPath } from '../kernels/guest-paths.js';
import { readRunFile } from './load.js';
import { writeReportsBeside } from './reports.js';
import type { RunFile } from './run-file.js';
import { stamp, writeAtomic, collectRuns } from './write.js';

/** A run folder's name: `<stamp>-<label>`. */
const RUN_FOLDER = /^\d{4}-\d\d-\d\dT/;

/**
 * Where a guest kernel writes its run folder: a folder in the output root (`<out>/incoming-...`)
 * rather than a temporary one, so that what a guest measured survives a host killed outright
 * (a temporary share belongs to the run record, and `bondlab clean` removes it). The host moves
 * each run folder into the output root when its guest ends, finishes a run.json the guest left
 * `running` (the guest was stopped: interrupted; it died: error), and writes the reports.
 */
export class GuestShare {
  /** The share folder, or undefined when the output root cannot be handed to a guest. */
  readonly dir: string | undefined;
  readonly #outRoot: string;
  readonly #err: (line: string) => void;
  readonly #collected: string[] = [];

  constructor(outRoot: string, err: (line: string) => void) {
    this.#outRoot = outRoot;
    this.#err = err;
    const root = resolve(outRoot);
    try {
      // A guest takes the share on its kernel command line: only some characters can go there.
      checkGuestPath('--out', join(root, 'incoming-x'), false);
    } catch (error) {
      err(
        `note: ${formatError(error)}; a guest's results go through a temporary folder instead (lost if bondlab is killed outright)`,
      );
      this.dir = undefined;
      return;
    }
    mkdirSync(root, { recursive: true });
    this.dir = mkdtempSync(join(root, `incoming-${stamp()}-`));
  }

  /** After a guest ended on its own: moves its run folders into place. */
  collect(from: string): void {
    this.#move(from, 'error', 'the guest ended before the run finished (see its console output)');
  }

  /**
   * When every guest is done, or the run failed or was interrupted (`error`): finishes and moves
   * what is left in the share, writes the reports of every collected run, removes the share.
   * Resolves with false when a report could not be written.
   */
  async finish(error: unknown): Promise<boolean> {
    if (this.dir !== undefined) {
      const interrupted = (error as { code?: unknown } | undefined)?.code === 'E_INTERRUPTED';
      this.#move(
        this.dir,
        interrupted ? 'interrupted' : 'error',
        error === undefined
          ? 'the guest ended before the run finished'
          : `${formatError(error)} (the guest was stopped before the run finished)`,
      );
      try {
        rmdirSync(this.dir);
      } catch {
        this.#err(`note: ${this.dir} is not empty; left in place`);
      }
    }
    let ok = true;
    for (const folder of this.#collected) {
      let run: RunFile;
      try {
        run = readRunFile(folder);
      } catch (readError) {
        this.#err(`bondlab: no reports for ${folder}: ${formatError(readError)}`);
        ok = false;
        continue;
      }
      ok = (await writeReportsBeside(folder, run, this.#err)) && ok;
    }
    return ok;
  }

  #move(from: string, status: 'interrupted' | 'error', reason: string): void {
    for (const entry of readdirSync(from)) {
      if (RUN_FOLDER.test(entry)) settle(join(from, entry, 'run.json'), status, reason);
    }
    for (const dir of collectRuns(from, this.#outRoot)) {
      this.#collected.push(dir);
      this.#err(`results: ${dir}/run.json`);
    }
  }
}

/** A run.json its guest left `running`: the host knows why it stopped, and says so. */
function settle(file: string, status: 'interrupted' | 'error', reason: string): void {
  let run: RunFile;
  try {
    run = JSON.parse(readFileSync(file, 'utf8')) as RunFile;
  } catch {
    return;
  }
  if (run.status !== 'running') return;
  writeAtomic(
    file,
    `${JSON.stringify({ ...run, status, stopReason: reason, finishedAt: new Date().toISOString() }, null, 2)}\n`,
  );
}
