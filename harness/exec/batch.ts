import { BondlabError } from '../errors.js';
import { CommandError } from './command-error.js';
import { run, type RunOptions, type RunResult } from './run.js';

/** A word that ip/tc batch mode would split, quote or treat as a comment. */
const UNSAFE_WORD = /[\s"'\\#]|^$/;

/**
 * Collects `ip` (or `tc`) commands and runs them as one process with `-batch`, in one namespace.
 * Exec costs 70-100 ms inside User-mode Linux, so a topology is built with one batch per namespace
 * and phase. Words are checked, never quoted: a batch line cannot smuggle a second command.
 */
export class Batch {
  readonly #tool: 'ip' | 'tc';
  readonly #netns: string | undefined;
  readonly #lines: string[][] = [];

  constructor(tool: 'ip' | 'tc', netns?: string) {
    this.#tool = tool;
    this.#netns = netns;
  }

  get netns(): string | undefined {
    return this.#netns;
  }

  get size(): number {
    return this.#lines.length;
  }

  /** Adds one command, as argv after the tool name (`add('link', 'set', 'lo', 'up')`). */
  add(...words: (string | number)[]): this {
    const line = words.map(String);
    for (const word of line) {
      if (UNSAFE_WORD.test(word)) {
        throw new BondlabError(
          'E_COMMAND_FAILED',
          `refusing ${this.#tool} batch word ${JSON.stringify(word)}: batch words must be non-empty and free of spaces, quotes, backslashes and #`,
        );
      }
    }
    this.#lines.push(line);
    return this;
  }

  /** The batch as text, one command a line. */
  text(): string {
    return this.#lines.map((l) => `${l.join(' ')}\n`).join('');
  }

  /** Runs the batch; a failing line is named in the error. An empty batch runs nothing. */
  async commit(
    options: Omit<RunOptions, 'netns' | 'input'> & { force?: boolean } = {},
  ): Promise<RunResult | undefined> {
    if (this.#lines.length === 0) return undefined;
    // -force: keep going past a failing line (the exit status still says something failed).
    const force = options.force === true ? ['-force'] : [];
    try {
      return await run([this.#tool, ...force, '-batch', '-'], {
        ...options,
        netns: this.#netns,
        input: this.text(),
      });
    } catch (error) {
      if (error instanceof CommandError && error.code === 'E_COMMAND_FAILED') {
        const failed = /Command failed -:(\d+)/.exec(error.stderr);
        const line = failed === null ? undefined : this.#lines[Number(failed[1]) - 1];
        if (line !== undefined) {
          const where = this.#netns === undefined ? '' : ` in namespace ${this.#netns}`;
          throw new CommandError(
            'E_COMMAND_FAILED',
            `${this.#tool} batch failed at "${this.#tool} ${line.join(' ')}"${where}`,
            error,
            { cause: error },
          );
        }
      }
      throw error;
    }
  }
}
