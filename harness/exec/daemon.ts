import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import type { RunContext } from '../lifecycle/run-context.js';
import { CommandError } from './command-error.js';
import { namespacedArgv } from './run.js';

export interface DaemonOptions {
  /** Runs inside this network namespace. */
  netns?: string | undefined;
  /** Extra environment variables (the rest is inherited). */
  env?: Readonly<Record<string, string>>;
  /** After SIGTERM, wait this long before SIGKILL. Default 2 s. */
  graceMs?: number;
}

function spawn(file: string, args: string[], env: DaemonOptions['env']) {
  return execa(file, args, {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    // Its own process group, like every command of a run: Ctrl-C reaches bondlab alone, which
    // stops its daemons in order (a fault injector, say, must undo its fault first).
    detached: true,
    env: { ...env, LC_ALL: 'C' },
  });
}

interface Waiter {
  stream: 'stdout' | 'stderr';
  match: (line: string) => boolean;
  resolve: (line: string) => void;
}

const STDERR_KEPT = 64;

/**
 * A long-lived helper process of a run (a probe agent, `ip monitor`, an `ip -batch -` fed line by
 * line): argv only, inside a namespace, stdout read line by line, stdin writable. Its stop is
 * registered with the run before it starts, so an error, Ctrl-C or the run's deadline ends it;
 * after a kill -9 of the harness, `bondlab clean` kills what is left in the run's namespaces.
 */
export class Daemon {
  readonly argv: readonly string[];
  readonly netns: string | undefined;
  /** Every stdout line so far, in order. */
  readonly lines: string[] = [];
  readonly #stderr: string[] = [];
  readonly #child: ReturnType<typeof spawn>;
  readonly #waiters = new Set<Waiter>();
  readonly #graceMs: number;
  readonly #startedAt = performance.now();
  readonly #untrack: () => void;
  #exit: { code: number | undefined; signal: string | undefined } | undefined;
  readonly exited: Promise<void>;
  /** Called with each stdout line as it arrives. */
  onLine: ((line: string) => void) | undefined;

  private constructor(run: RunContext, argv: readonly string[], options: DaemonOptions) {
    this.argv = namespacedArgv(argv, options.netns);
    this.netns = options.netns;
    this.#graceMs = options.graceMs ?? 2_000;
    this.#untrack = run.defer(`stop ${this.argv.join(' ').slice(0, 80)}`, () => this.stop());
    const [file, ...args] = this.argv as [string, ...string[]];
    this.#child = spawn(file, args, options.env);
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.onLine?.(line);
      this.#wake('stdout', line);
    });
    createInterface({ input: this.#child.stderr }).on('line', (line) => {
      this.#stderr.push(line);
      if (this.#stderr.length > STDERR_KEPT) this.#stderr.shift();
      this.#wake('stderr', line);
    });
    // The stdin pipe fails with EPIPE if the child is gone; the exit is what reports it.
    this.#child.stdin.on('error', () => undefined);
    this.exited = this.#child.then((result) => {
      this.#exit = { code: result.exitCode, signal: result.signal };
    });
  }

  #wake(stream: Waiter['stream'], line: string): void {
    for (const w of this.#waiters) {
      if (w.stream === stream && w.match(line)) {
        this.#waiters.delete(w);
        w.resolve(line);
      }
    }
  }

  /** Starts `argv`; the run stops it at teardown if nobody did before. */
  static start(run: RunContext, argv: readonly string[], options: DaemonOptions = {}): Daemon {
    return new Daemon(run, argv, options);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  get stderrTail(): string[] {
    return [...this.#stderr];
  }

  /** Writes one line to its stdin. */
  write(line: string): void {
    this.#child.stdin.write(`${line}\n`);
  }

  /** Closes its stdin (a child that reads until EOF then finishes). */
  endInput(): void {
    this.#child.stdin.end();
  }

  /**
   * Resolves with the first stdout (or stderr) line, already seen or still to come, that `match`
   * accepts. Raises if the process exits first, after `timeoutMs`, or when `signal` aborts.
   */
  async waitForLine(
    match: (line: string) => boolean,
    what: string,
    timeoutMs: number,
    signal?: AbortSignal,
    stream: Waiter['stream'] = 'stdout',
  ): Promise<string> {
    const seen = (stream === 'stdout' ? this.lines : this.#stderr).find(match);
    if (seen !== undefined) return seen;
    let waiter: Waiter | undefined;
    const found = new Promise<string>((resolve) => {
      waiter = { stream, match, resolve };
      this.#waiters.add(waiter);
    });
    const timer = new AbortController();
    try {
      const outcome = await Promise.race([
        found,
        this.exited.then(() => 'exited' as const),
        sleep(timeoutMs, 'timeout' as const, { signal: timer.signal }).catch(
          () => 'timeout' as const,
        ),
        ...(signal === undefined
          ? []
          : [
              new Promise<'aborted'>((resolve) => {
                if (signal.aborted) resolve('aborted');
                signal.addEventListener(
                  'abort',
                  () => {
                    resolve('aborted');
                  },
                  {
                    once: true,
                    signal: timer.signal,
                  },
                );
              }),
            ]),
      ]);
      if (outcome === 'exited') throw this.error(`exited before ${what}`);
      if (outcome === 'timeout')
        throw this.error(`no ${what} within ${timeoutMs} ms`, 'E_COMMAND_TIMEOUT');
      if (outcome === 'aborted')
        throw this.error(`aborted while waiting for ${what}`, 'E_COMMAND_ABORTED', signal?.reason);
      return outcome;
    } finally {
      timer.abort();
      if (waiter !== undefined) this.#waiters.delete(waiter);
    }
  }

  /** Waits for it to exit by itself, at most `timeoutMs`; raises if it does not or fails. */
  async waitForExit(timeoutMs: number): Promise<void> {
    const timer = new AbortController();
    const outcome = await Promise.race([
      this.exited.then(() => 'exited' as const),
      sleep(timeoutMs, 'timeout' as const, { signal: timer.signal }).catch(
        () => 'timeout' as const,
      ),
    ]);
    timer.abort();
    if (outcome === 'timeout') {
      await this.stop();
      throw this.error(`did not finish within ${timeoutMs} ms`, 'E_COMMAND_TIMEOUT');
    }
    if (this.#exit?.code !== 0) throw this.error('failed');
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once it is gone. Safe to call twice. */
  async stop(): Promise<void> {
    this.#untrack();
    if (this.#exit !== undefined) return;
    this.#child.kill('SIGTERM');
    const timer = new AbortController();
    const outcome = await Promise.race([
      this.exited.then(() => 'exited' as const),
      sleep(this.#graceMs, 'timeout' as const, { signal: timer.signal }).catch(
        () => 'timeout' as const,
      ),
    ]);
    timer.abort();
    if (outcome === 'timeout') {
      this.#child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** A CommandError with this process's argv, namespace, exit and last stderr lines. */
  error(
    summary: string,
    code: 'E_COMMAND_FAILED' | 'E_COMMAND_TIMEOUT' | 'E_COMMAND_ABORTED' = 'E_COMMAND_FAILED',
    cause?: unknown,
  ): CommandError {
    const exit = this.#exit;
    const how =
      exit === undefined
        ? ''
        : exit.signal === undefined
          ? ` (exit ${exit.code ?? '?'})`
          : ` (${exit.signal})`;
    return new CommandError(
      code,
      `${summary}${how}`,
      {
        argv: this.argv,
        netns: this.netns,
        exitCode: exit?.code,
        signal: exit?.signal,
        stdout: this.lines.slice(-8).join('\n'),
        stderr: this.#stderr.join('\n'),
        durationMs: performance.now() - this.#startedAt,
      },
      cause === undefined ? {} : { cause },
    );
  }
}
