import { execa } from 'execa';
import { CommandError } from './command-error.js';

export interface RunOptions {
  /** Run inside this network namespace (`ip -n` for ip and tc, `ip netns exec` for the rest). */
  netns?: string | undefined;
  /** Abort after this long. Default 30 s. */
  timeoutMs?: number;
  /** Aborts the command (the run's Ctrl-C, a deadline). */
  signal?: AbortSignal | undefined;
  /** Written to standard input. */
  input?: string;
  /** Accept these exit codes besides 0 instead of raising. */
  okExitCodes?: readonly number[];
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables (the rest is inherited). */
  env?: Readonly<Record<string, string>>;
}

export interface RunResult {
  argv: readonly string[];
  netns: string | undefined;
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
let spawned = 0;

/** How many processes this module has started: lets tests and benchmarks count exec cost. */
export function spawnCount(): number {
  return spawned;
}

/** argv as it is executed, with the namespace applied. */
export function namespacedArgv(argv: readonly string[], netns: string | undefined): string[] {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('run: argv is empty');
  if (netns === undefined) return [file, ...args];
  // ip, tc and bridge switch namespace themselves: one exec instead of two.
  if (file === 'ip' || file === 'tc' || file === 'bridge') return [file, '-n', netns, ...args];
  return ['ip', 'netns', 'exec', netns, file, ...args];
}

/**
 * Runs one external command: argv only, never a shell. Raises a CommandError on a non-zero exit,
 * a timeout, an abort or a missing program.
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const full = namespacedArgv(argv, options.netns);
  const [file, ...args] = full as [string, ...string[]];
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const cancelSignal =
    options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  spawned++;
  const result = await execa(file, args, {
    cancelSignal,
    reject: false,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    ...(options.input === undefined ? {} : { input: options.input }),
    forceKillAfterDelay: 2_000,
    // Its own process group: a terminal's Ctrl-C reaches bondlab alone, which then stops its
    // commands in order, instead of killing the `ip netns del` its teardown is running.
    detached: true,
    stripFinalNewline: false,
    env: { ...options.env, LC_ALL: 'C' },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  const details = {
    argv: full,
    netns: options.netns,
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
    durationMs: result.durationMs,
  };
  if (result.isCanceled) {
    if (timeout.aborted) {
      throw new CommandError(
        'E_COMMAND_TIMEOUT',
        `timed out after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`,
        details,
      );
    }
    throw new CommandError('E_COMMAND_ABORTED', 'aborted', details, {
      cause: options.signal?.reason,
    });
  }
  if (result.exitCode === undefined) {
    const cause = result.cause as NodeJS.ErrnoException | undefined;
    if (cause?.code === 'ENOENT') {
      throw new CommandError('E_COMMAND_NOT_FOUND', `${file} is not installed`, details, {
        hint: installHint(file),
      });
    }
    const how =
      result.signal === undefined
        ? (cause?.message ?? 'failed to start')
        : `killed by ${result.signal}`;
    throw new CommandError('E_COMMAND_FAILED', how, details, { cause });
  }
  if (result.exitCode !== 0 && !(options.okExitCodes ?? []).includes(result.exitCode)) {
    throw new CommandError('E_COMMAND_FAILED', `exit ${result.exitCode}`, details);
  }
  return { ...details, exitCode: result.exitCode };
}

const PACKAGES: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  tc: 'iproute2',
  bridge: 'iproute2',
  iperf3: 'iperf3',
  ping: 'iputils-ping',
  modprobe: 'kmod',
  'linux.uml': 'user-mode-linux',
  'qemu-system-x86_64': 'qemu-system-x86',
  busybox: 'busybox-static',
  setpriv: 'util-linux',
  unshare: 'util-linux',
  xz: 'xz-utils',
  zstd: 'zstd',
  vagrant: 'vagrant',
};

/** The apt-get line that brings a missing program. */
export function installHint(file: string): string {
  const pkg = PACKAGES[file];
  return pkg === undefined
    ? `install ${file} and make sure it is on PATH`
    : `apt-get update && apt-get install -y ${pkg}`;
}
