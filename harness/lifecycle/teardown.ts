import { formatError } from '../errors.js';
import { CommandError } from '../exec/command-error.js';

export interface TeardownStep {
  label: string;
  undo: () => Promise<void> | void;
}

/**
 * A stack of undo steps. Register each step *before* the setup it undoes, so a setup that fails
 * halfway is still undone; `unwind` runs them in reverse and keeps going past failures.
 */
export class Teardown {
  readonly #steps: TeardownStep[] = [];
  #unwinding: Promise<Error[]> | undefined;

  /** Registers an undo step; returns a function that drops it (the object was removed by hand). */
  defer(label: string, undo: TeardownStep['undo']): () => void {
    const step = { label, undo };
    this.#steps.push(step);
    return () => {
      const at = this.#steps.indexOf(step);
      if (at !== -1) this.#steps.splice(at, 1);
    };
  }

  get pending(): number {
    return this.#steps.length;
  }

  /** Runs every step, newest first. Concurrent callers share one unwinding. */
  unwind(log: (line: string) => void = () => undefined): Promise<Error[]> {
    this.#unwinding ??= this.#run(log).finally(() => {
      this.#unwinding = undefined;
    });
    return this.#unwinding;
  }

  async #run(log: (line: string) => void): Promise<Error[]> {
    const errors: Error[] = [];
    for (let step = this.#steps.pop(); step !== undefined; step = this.#steps.pop()) {
      try {
        await undoStep(step);
      } catch (error) {
        log(`teardown "${step.label}" failed: ${formatError(error)}`);
        errors.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return errors;
  }
}

/**
 * Runs an undo step, and once more if a command of it was killed by a signal: every command runs
 * in its own process group, but one forked at the instant a terminal's Ctrl-C went to bondlab's
 * group is still in it until it leaves, and dies of it (the kill-anywhere test hit this once in
 * about 60 kills). Only such a death is retried; undo steps are safe to run again (deleting
 * namespaces skips those already gone; stopping a process that has ended does nothing).
 */
async function undoStep(step: TeardownStep): Promise<void> {
  try {
    await step.undo();
  } catch (error) {
    if (!(error instanceof CommandError) || error.signal === undefined) throw error;
    await step.undo();
  }
}
