import { formatError } from '../errors.js';

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
        await step.undo();
      } catch (error) {
        log(`teardown "${step.label}" failed: ${formatError(error)}`);
        errors.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return errors;
  }
}
