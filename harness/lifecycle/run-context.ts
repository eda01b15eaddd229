import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BondlabError } from '../errors.js';
import { cleanDeadRuns } from './clean.js';
import { netnsName, newRunId } from './names.js';
import { deleteNetns } from './netns.js';
import { processStartTime } from './process-identity.js';
import { claimRecord, removeRecord, stateDir, updateRecord, type RunRecord } from './records.js';
import { Teardown } from './teardown.js';

export interface RunContextOptions {
  /** Progress and teardown messages. */
  log?: (line: string) => void;
  /** Abort the whole run after this long. */
  timeoutMs?: number;
  /** Turn SIGINT and SIGTERM into an orderly abort and teardown (the CLI does; tests may not). */
  handleSignals?: boolean;
}

/** Raised into the run's operations when it is interrupted by a signal. */
export class InterruptedError extends BondlabError {
  readonly signal: NodeJS.Signals;

  constructor(signal: NodeJS.Signals) {
    super('E_INTERRUPTED', `interrupted by ${signal}; tearing down`);
    this.signal = signal;
  }

  override get exitStatus(): number {
    return this.signal === 'SIGINT' ? 130 : 143;
  }
}

/**
 * One run of the harness: a unique id that prefixes every namespace it makes, a record that lets
 * `bondlab clean` find its leftovers if it is killed, one AbortSignal for everything it starts, and
 * a teardown stack that is unwound on success, error, timeout, SIGINT and SIGTERM.
 */
export class RunContext {
  readonly id: string;
  readonly teardown = new Teardown();
  readonly log: (line: string) => void;
  readonly #controller = new AbortController();
  readonly #record: RunRecord;
  readonly #detach: () => void;
  #closed = false;
  #scratch: string | undefined;

  private constructor(id: string, record: RunRecord, options: RunContextOptions) {
    this.id = id;
    this.#record = record;
    this.log = options.log ?? (() => undefined);
    const detachers: (() => void)[] = [];
    if (options.timeoutMs !== undefined) {
      const timer = setTimeout(() => {
        this.#controller.abort(
          new BondlabError(
            'E_COMMAND_TIMEOUT',
            `run ${id} exceeded its ${options.timeoutMs} ms deadline`,
          ),
        );
      }, options.timeoutMs);
      detachers.push(() => {
        clearTimeout(timer);
      });
    }
    if (options.handleSignals === true) {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        const onSignal = (): void => {
          if (this.#controller.signal.aborted) {
            this.log(
              `${signal} again: still tearing down run ${id}; \`bondlab clean\` finishes it if you kill -9`,
            );
            return;
          }
          this.log(`${signal}: stopping run ${id} and tearing down`);
          this.#controller.abort(new InterruptedError(signal));
        };
        process.on(signal, onSignal);
        detachers.push(() => process.off(signal, onSignal));
      }
    }
    this.#detach = () => {
      for (const d of detachers) d();
    };
  }

  /**
   * Starts a run: first removes what dead runs left behind (so a kill -9 is healed by the next
   * run), then claims a fresh id.
   */
  static async open(options: RunContextOptions = {}): Promise<RunContext> {
    const swept = await cleanDeadRuns();
    if (swept.removedRuns.length > 0) {
      options.log?.(`removed leftovers of dead run(s) ${swept.removedRuns.join(', ')}`);
    }
    const startTime = processStartTime(process.pid);
    if (startTime === undefined) throw new Error('cannot read /proc/self/stat');
    for (let attempt = 0; attempt < 20; attempt++) {
      const id = newRunId();
      const record: RunRecord = {
        version: 1,
        id,
        pid: process.pid,
        startTime,
        startedAt: new Date().toISOString(),
        argv: process.argv.slice(1),
        processGroups: [],
        processGroupStarts: {},
        paths: [],
        netns: [],
      };
      if (claimRecord(record)) return new RunContext(id, record, options);
    }
    throw new Error('could not claim a unique run id after 20 attempts');
  }

  /** Aborted on SIGINT, SIGTERM, the run's deadline or `abort()`. Pass it to every operation. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Raises the abort reason if the run was aborted (call between steps). */
  throwIfAborted(): void {
    this.#controller.signal.throwIfAborted();
  }

  abort(reason: unknown): void {
    this.#controller.abort(reason);
  }

  /** This run's name for namespace `name`. */
  netns(name: string): string {
    return netnsName(this.id, name);
  }

  /** Registers an undo step before the setup it undoes. */
  defer(label: string, undo: () => Promise<void> | void): () => void {
    return this.teardown.defer(label, undo);
  }

  /**
   * Registers the deletion of namespaces (and everything in them) before they are created. The
   * deletion runs without the run's signal, so teardown still works after an abort.
   */
  deferNetns(names: readonly string[]): () => void {
    // Listed in the record first: after a kill -9, `bondlab clean` removes exactly these, and
    // leaves alone a namespace someone else named with this run's prefix. Never unlisted: the
    // caller drops the teardown step before it deletes them, and a kill in between must not
    // orphan them (clean skips the names that no longer exist).
    const listed = (this.#record.netns ??= []);
    const fresh = names.filter((n) => !listed.includes(n));
    if (fresh.length > 0) {
      listed.push(...fresh);
      updateRecord(this.#record);
    }
    return this.defer(`delete namespaces ${names.join(' ')}`, async () => {
      await deleteNetns(names, { timeoutMs: 60_000 });
    });
  }

  /** Records a process group for `bondlab clean` to kill should this process die. */
  trackProcessGroup(pgid: number): () => void {
    this.#record.processGroups.push(pgid);
    // With its leader's start time: clean kills the group only while the id is still ours.
    const startTime = processStartTime(pgid);
    if (startTime !== undefined) (this.#record.processGroupStarts ??= {})[String(pgid)] = startTime;
    updateRecord(this.#record);
    // Once the group is gone its number may be reused: untrack it, or clean might kill a stranger.
    return () => {
      this.#untrack(this.#record.processGroups, pgid);
    };
  }

  /**
   * A private folder for this run's short-lived files, removed when the run closes (or by
   * `bondlab clean` after a kill -9).
   */
  scratchDir(): string {
    if (this.#scratch === undefined) {
      const dir = join(stateDir(), 'scratch', this.id);
      this.trackPath(dir);
      this.defer(`remove ${dir}`, () => {
        rmSync(dir, { recursive: true, force: true });
      });
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.#scratch = dir;
    }
    return this.#scratch;
  }

  /** Records a path for `bondlab clean` to remove should this process die; returns the untrack. */
  trackPath(path: string): () => void {
    this.#record.paths.push(path);
    updateRecord(this.#record);
    return () => {
      this.#untrack(this.#record.paths, path);
    };
  }

  #untrack<T>(list: T[], item: T): void {
    const at = list.indexOf(item);
    if (at === -1 || this.#closed) return;
    list.splice(at, 1);
    updateRecord(this.#record);
  }

  /** Unwinds the teardown stack and releases the id. Safe to call twice. */
  async close(): Promise<Error[]> {
    if (this.#closed) return [];
    const steps = this.teardown.pending;
    const started = performance.now();
    if (steps > 0) this.log(`teardown: undoing ${steps} step${steps === 1 ? '' : 's'}`);
    const errors = await this.teardown.unwind(this.log);
    if (errors.length > 0) {
      this.log(
        `teardown: ${errors.length} step(s) failed in ${Math.round(performance.now() - started)} ms`,
      );
    }
    this.#closed = true;
    this.#detach();
    if (errors.length === 0) {
      removeRecord(this.id);
    } else {
      // Keep the record, owned by no live process (pid 0), so `bondlab clean` finishes the job.
      this.#record.pid = 0;
      updateRecord(this.#record);
    }
    return errors;
  }
}

/**
 * Runs `body` inside a fresh run and always tears it down, whatever happens. A body that succeeded
 * still fails when its teardown could not undo everything (what is left is named, and `bondlab
 * clean` finishes it), or when the run was interrupted (SIGINT, SIGTERM) while tearing down: the
 * exit status says so, as a shell expects of a command it interrupted.
 */
export async function withRun<T>(
  body: (run: RunContext) => Promise<T>,
  options: RunContextOptions = {},
): Promise<T> {
  const run = await RunContext.open(options);
  let value: T;
  try {
    value = await body(run);
  } catch (error) {
    await run.close();
    // An abort surfaces as whatever the aborted command threw; report the reason instead.
    throw run.signal.aborted && run.signal.reason instanceof BondlabError
      ? run.signal.reason
      : error;
  }
  const errors = await run.close();
  if (errors.length > 0) {
    throw new BondlabError(
      'E_TEARDOWN',
      `run ${run.id}: teardown could not undo ${errors.length} step(s): ${errors.map((e) => e.message).join('; ')}`,
      { hint: 'run `bondlab clean`, which removes what this run left' },
    );
  }
  if (run.signal.aborted && run.signal.reason instanceof InterruptedError) throw run.signal.reason;
  return value;
}
