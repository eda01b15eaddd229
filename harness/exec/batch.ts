import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BondlabError } from '../errors.js';
import { CommandError } from './command-error.js';
import { run, type RunOptions, type RunResult } from './run.js';

/** The iproute2 tools with a batch mode. */
export type BatchTool = 'ip' | 'tc' | 'bridge';

/** A word that ip/tc batch mode would split, quote or treat as a comment. */
const UNSAFE_WORD = /[\s"'\\#]|^$/;

/**
 * One batch line from words, each checked rather than quoted: a word that batch mode would split,
 * quote or treat as a comment is refused, so a line cannot smuggle a second command.
 */
export function batchLine(tool: BatchTool, words: readonly (string | number)[]): string {
  const line = words.map(String);
  for (const word of line) {
    if (UNSAFE_WORD.test(word)) {
      throw new BondlabError(
        'E_COMMAND_FAILED',
        `refusing ${tool} batch word ${JSON.stringify(word)}: batch words must be non-empty and free of spaces, quotes, backslashes and #`,
      );
    }
  }
  return line.join(' ');
}

export interface CommitOptions extends Omit<RunOptions, 'netns' | 'input'> {
  /** Keep going past a failing line (the exit status still says something failed). */
  force?: boolean;
  /** Where nested batches are written; default the system's temp folder. */
  scratchDir?: string;
}

/**
 * Collects `ip` (or `tc`) commands and runs them as one process with `-batch`, in one namespace.
 * Exec costs 70-100 ms inside User-mode Linux (and a process of node's twice that), so a topology
 * is built with one process per phase: a batch of the initial namespace can start commands in
 * other namespaces (`exec`) and run whole batches there (`nest`), ip forking each. Words are
 * checked, never quoted: a batch line cannot smuggle a second command.
 */
export class Batch {
  readonly #tool: 'ip' | 'tc';
  readonly #netns: string | undefined;
  readonly #lines: string[][] = [];
  /** Nested batches, by the index of the line that runs them. */
  readonly #nested = new Map<number, Batch>();

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
    batchLine(this.#tool, words);
    this.#lines.push(words.map(String));
    return this;
  }

  /** Adds a line that runs `argv` in namespace `netns` (ip's `netns exec`, forked in batch mode). */
  exec(netns: string, ...argv: (string | number)[]): this {
    this.#rootOnly('exec');
    return this.add('netns', 'exec', netns, ...argv);
  }

  /** Adds a line that runs a whole batch of another namespace, from a file written at commit. */
  nest(inner: Batch): this {
    this.#rootOnly('nest');
    if (inner.#netns === undefined || inner.#nested.size > 0) {
      throw new TypeError(
        'Batch.nest: the nested batch needs a namespace and no nesting of its own',
      );
    }
    if (inner.size === 0) return this;
    this.#nested.set(this.#lines.length, inner);
    // The file name is a placeholder until commit knows the folder.
    return this.add('netns', 'exec', inner.#netns, inner.#tool, '-batch', `@${this.#lines.length}`);
  }

  /** The batch as text, one command a line; nested batches read from `dir`. */
  text(dir = '.'): string {
    return this.#lines
      .map((l, i) => {
        const words = this.#nested.has(i) ? [...l.slice(0, -1), nestedFile(dir, i)] : l;
        return `${words.join(' ')}\n`;
      })
      .join('');
  }

  /** Runs the batch; a failing line (nested ones too) is named in the error. Empty runs nothing. */
  async commit(options: CommitOptions = {}): Promise<RunResult | undefined> {
    if (this.#lines.length === 0) return undefined;
    const { force, scratchDir, ...runOptions } = options;
    const dir =
      this.#nested.size === 0 ? undefined : mkdtempSync(join(scratchDir ?? tmpdir(), 'batch-'));
    try {
      if (dir !== undefined) {
        for (const [i, inner] of this.#nested) writeFileSync(nestedFile(dir, i), inner.text());
      }
      return await run([this.#tool, ...(force === true ? ['-force'] : []), '-batch', '-'], {
        ...runOptions,
        netns: this.#netns,
        input: this.text(dir),
      });
    } catch (error) {
      throw this.#explain(error, dir);
    } finally {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    }
  }

  #explain(error: unknown, dir: string | undefined): unknown {
    if (!(error instanceof CommandError) || error.code !== 'E_COMMAND_FAILED') return error;
    // A nested batch says "Command failed <file>:<line>", the outer one "Command failed -:<line>".
    let failing: { batch: Batch; line: string[] } | undefined;
    for (const m of error.stderr.matchAll(/Command failed (\S+):(\d+)/g)) {
      const [, file, n] = m as unknown as [string, string, string];
      const index = Number(n) - 1;
      if (file === '-') {
        const line = this.#lines[index];
        if (line !== undefined && failing === undefined) failing = { batch: this, line };
      } else if (dir !== undefined) {
        const owner = [...this.#nested].find(([i]) => nestedFile(dir, i) === file)?.[1];
        const line = owner === undefined ? undefined : owner.#lines[index];
        if (owner !== undefined && line !== undefined) failing = { batch: owner, line };
      }
    }
    if (failing === undefined) return error;
    const where = failing.batch.#netns === undefined ? '' : ` in namespace ${failing.batch.#netns}`;
    const tool = failing.batch.#tool;
    return new CommandError(
      'E_COMMAND_FAILED',
      `${tool} batch failed at "${tool} ${failing.line.join(' ')}"${where}`,
      error,
      { cause: error },
    );
  }

  #rootOnly(what: string): void {
    if (this.#tool !== 'ip' || this.#netns !== undefined) {
      throw new TypeError(
        `Batch.${what}: only an ip batch of the initial namespace starts commands in others`,
      );
    }
  }
}

function nestedFile(dir: string, line: number): string {
  return join(dir, `${line + 1}.batch`);
}
