import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { execa } from 'execa';
import { killProcessGroup } from '../../lifecycle/process-group.js';

export interface TrackedProcessOptions {
  cwd?: string;
  /** Added to the harness's environment. */
  env?: Record<string, string>;
  /** 'pipe': the caller writes to or closes `stdin`. Default 'ignore'. */
  stdin?: 'ignore' | 'pipe';
  /** 'lines' (default): read line by line (onLine, `stdout` of the exit). 'pipe': the caller's. */
  stdout?: 'lines' | 'pipe';
  /** Each line of stdout (when read as lines) and stderr, as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Aborting it stops the process (see `stopWith`). */
  signal: AbortSignal;
  /**
   * The graceful stop: a signal to the process (Vagrant cleans up on SIGINT), or closing its
   * stdin (the lifeline of a job). Default SIGTERM.
   */
  stopWith?: NodeJS.Signals | 'close-stdin';
  /** After the graceful stop, this long until SIGKILL to the whole process group. */
  graceMs: number;
  /** Told the process group as soon as it exists (a run records it for `bondlab clean`). */
  onSpawn?: (pgid: number) => void;
}

export interface TrackedExit {
  argv: string[];
  /** undefined when it did not start or was killed by a signal. */
  exitCode: number | undefined;
  signal: string | undefined;
  /** stdout when read as lines (up to the last 10,000 lines), else ''. */
  stdout: string;
  /** The last 200 lines of stderr; why it did not start, if it did not. */
  stderr: string;
  durationMs: number;
  /** Whether it was stopped by `stop()` or the abort signal. */
  stopped: boolean;
  /** The spawn error (e.g. ENOENT), if it did not start. */
  startError: Error | undefined;
}

export interface TrackedProcess {
  pid: number | undefined;
  /** Its stdin, when `stdin: 'pipe'`. */
  stdin: Writable | null;
  /** Its stdout, when `stdout: 'pipe'`. */
  stdout: Readable | null;
  done: Promise<TrackedExit>;
  /** Graceful stop, then SIGKILL to its group after the grace time; resolves once it exited. */
  stop: () => Promise<TrackedExit>;
}

const KEEP_STDOUT_LINES = 10_000;
const KEEP_STDERR_LINES = 200;

/**
 * Starts a long-lived program (argv only, never a shell) as the leader of a new process group,
 * streams its output by lines, and stops it gracefully then hard: on abort or `stop()`, first
 * `stopWith`, then SIGKILL to the whole group after `graceMs`, and once more to the group after
 * the leader exited, so no helper it started outlives it.
 */
export function startTracked(
  file: string,
  args: readonly string[],
  options: TrackedProcessOptions,
): TrackedProcess {
  const began = performance.now();
  const argv = [file, ...args];
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    reject: false,
    buffer: false,
    stdin: options.stdin ?? 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const pid = subprocess.pid;
  if (pid !== undefined) options.onSpawn?.(pid);

  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  const readers: Promise<unknown>[] = [];
  const readLines = (
    stream: Readable | null,
    name: 'stdout' | 'stderr',
    keep: string[],
    max: number,
  ): void => {
    if (stream === null) return;
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (line) => {
      keep.push(line);
      if (keep.length > max) keep.shift();
      options.onLine?.(line, name);
    });
    readers.push(once(rl, 'close'));
  };
  if ((options.stdout ?? 'lines') === 'lines') {
    readLines(subprocess.stdout, 'stdout', stdoutLines, KEEP_STDOUT_LINES);
  }
  readLines(subprocess.stderr, 'stderr', stderrLines, KEEP_STDERR_LINES);
  // A lifeline whose reader is gone raises EPIPE on close: that is the expected end, not an error.
  subprocess.stdin?.on('error', () => undefined);

  const state = { stopped: false };
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    void stop();
  };
  const done = (async (): Promise<TrackedExit> => {
    const result = await subprocess;
    await Promise.all(readers);
    clearTimeout(killTimer);
    options.signal.removeEventListener('abort', onAbort);
    if (state.stopped && pid !== undefined) killProcessGroup(pid);
    const cause = result.cause;
    const startError =
      result.exitCode === undefined && result.signal === undefined && cause instanceof Error
        ? cause
        : undefined;
    if (startError !== undefined) stderrLines.push(startError.message);
    return {
      argv,
      exitCode: result.exitCode,
      signal: result.signal,
      stdout: stdoutLines.join('\n'),
      stderr: stderrLines.join('\n'),
      durationMs: performance.now() - began,
      stopped: state.stopped,
      startError,
    };
  })();

  function stop(): Promise<TrackedExit> {
    if (
      !state.stopped &&
      pid !== undefined &&
      subprocess.exitCode === null &&
      subprocess.signalCode === null
    ) {
      state.stopped = true;
      const how = options.stopWith ?? 'SIGTERM';
      if (how === 'close-stdin') subprocess.stdin?.end();
      else subprocess.kill(how);
      killTimer = setTimeout(() => killProcessGroup(pid), options.graceMs);
    }
    return done;
  }
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });

  return { pid, stdin: subprocess.stdin, stdout: subprocess.stdout, done, stop };
}
