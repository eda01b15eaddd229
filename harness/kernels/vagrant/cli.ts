import { join } from 'node:path';
import { CommandError } from '../../exec/command-error.js';
import { shCommand } from './quote.js';
import { machineError, machineStatus, type MachineStatus } from './status.js';
import { startTracked, type TrackedExit, type TrackedProcess } from './process.js';

/** The machine vagrant/Vagrantfile defines. */
export const MACHINE = 'bondlab';

/** Options of ssh itself, after `vagrant ssh NAME --`. */
const SSH_OPTIONS = [
  // No pseudo-terminal: stdout and stderr stay apart and bytes pass unchanged (tar goes through).
  '-T',
  // Never prompt: a broken key must fail, not hang.
  '-o',
  'BatchMode=yes',
  // A VM that died must not leave the harness waiting forever.
  '-o',
  'ServerAliveInterval=15',
  '-o',
  'ServerAliveCountMax=4',
];

export interface VagrantCliOptions {
  /** Absolute path of the vagrant program (findVagrant). */
  binary: string;
  /** The folder of the Vagrantfile. */
  vagrantDir: string;
  machine?: string;
  /** Told each process group started (RunContext.trackProcessGroup). */
  onSpawn?: (pgid: number) => void;
  /** vagrant up's and halt's progress lines. */
  log?: (line: string) => void;
}

/**
 * The vagrant commands the harness runs, argv only, against one machine of one Vagrantfile
 * (VAGRANT_CWD is set, whatever the current folder). Each runs as its own process group and is
 * stopped with SIGINT first (Vagrant cleans up on it), then SIGKILL to the group.
 */
export class VagrantCli {
  readonly binary: string;
  readonly vagrantDir: string;
  readonly machine: string;
  readonly #onSpawn: ((pgid: number) => void) | undefined;
  readonly #log: (line: string) => void;

  constructor(options: VagrantCliOptions) {
    this.binary = options.binary;
    this.vagrantDir = options.vagrantDir;
    this.machine = options.machine ?? MACHINE;
    this.#onSpawn = options.onSpawn;
    this.#log = options.log ?? (() => undefined);
  }

  /** The environment every vagrant command gets on top of the harness's. */
  get env(): Record<string, string> {
    return {
      VAGRANT_CWD: this.vagrantDir,
      VAGRANT_VAGRANTFILE: 'Vagrantfile',
      // No version check against HashiCorp's servers on every command.
      VAGRANT_CHECKPOINT_DISABLE: '1',
      VAGRANT_NO_COLOR: '1',
    };
  }

  /** Starts `vagrant ARGS...` without waiting. */
  start(
    args: readonly string[],
    options: {
      signal: AbortSignal;
      stdin?: 'ignore' | 'pipe';
      stdout?: 'lines' | 'pipe';
      onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
      stopWith?: NodeJS.Signals | 'close-stdin';
      graceMs?: number;
    },
  ): TrackedProcess {
    return startTracked(this.binary, args, {
      cwd: this.vagrantDir,
      env: this.env,
      stopWith: 'SIGINT',
      graceMs: 30_000,
      ...options,
      ...(this.#onSpawn === undefined ? {} : { onSpawn: this.#onSpawn }),
    });
  }

  /** Runs `vagrant ARGS...` to its end; a CommandError unless it exits 0. */
  async run(
    args: readonly string[],
    signal: AbortSignal,
    onLine?: (line: string, stream: 'stdout' | 'stderr') => void,
  ): Promise<TrackedExit> {
    const exit = await this.start(args, { signal, ...(onLine === undefined ? {} : { onLine }) })
      .done;
    return check(exit, signal);
  }

  /** The machine's state (`vagrant status --machine-readable`). */
  async status(signal: AbortSignal): Promise<MachineStatus> {
    const raw = await this.start(['status', this.machine, '--machine-readable'], { signal }).done;
    // With --machine-readable, Vagrant tells why it failed on stdout, in an error-exit line.
    const why = machineError(raw.stdout);
    const exit = check(
      why === undefined ? raw : { ...raw, stderr: [raw.stderr, why].join('\n').trim() },
      signal,
      `\`vagrant status\` in ${this.vagrantDir} shows the same; Vagrant needs a usable provider ` +
        '(libvirt or VirtualBox) on this machine',
    );
    const status = machineStatus(exit.stdout, this.machine);
    if (status === undefined) {
      throw new CommandError(
        'E_COMMAND_FAILED',
        `vagrant status names no machine "${this.machine}" (is ${join(this.vagrantDir, 'Vagrantfile')} bondlab's?)`,
        details(exit),
      );
    }
    return status;
  }

  /** Boots (and on first boot creates and provisions) the machine; syncs the project. */
  async up(signal: AbortSignal, provider: string | undefined): Promise<void> {
    const args = ['up', this.machine, '--no-color'];
    if (provider !== undefined) args.push('--provider', provider);
    await this.run(args, signal, (line) => {
      this.#log(`vagrant: ${line}`);
    });
  }

  /** Copies the project to the running machine again (the rsync synced folder). */
  async rsync(signal: AbortSignal): Promise<void> {
    await this.run(['rsync', this.machine, '--no-color'], signal, (line) => {
      this.#log(`vagrant: ${line}`);
    });
  }

  /** Shuts the machine down (Vagrant forces it off if it does not stop in time). */
  async halt(signal: AbortSignal): Promise<void> {
    await this.run(['halt', this.machine, '--no-color'], signal, (line) => {
      this.#log(`vagrant: ${line}`);
    });
  }

  /**
   * `vagrant ssh NAME -- -T ... 'w1' 'w2' ...`: runs `remoteArgv` in the machine. ssh hands its
   * command to the remote shell as one string, so each word is quoted for it (shCommand).
   */
  ssh(remoteArgv: readonly string[], options: Parameters<VagrantCli['start']>[1]): TrackedProcess {
    return this.start(['ssh', this.machine, '--', ...SSH_OPTIONS, shCommand(remoteArgv)], {
      // ssh ends on SIGTERM; its remote command sees the channel close.
      stopWith: 'SIGTERM',
      graceMs: 5_000,
      ...options,
    });
  }
}

/** The CommandError fields of an exit. */
export function details(exit: TrackedExit): ConstructorParameters<typeof CommandError>[2] {
  return {
    argv: exit.argv,
    netns: undefined,
    exitCode: exit.exitCode,
    signal: exit.signal,
    stdout: exit.stdout,
    stderr: exit.stderr,
    durationMs: exit.durationMs,
  };
}

/** The exit itself when it is a success; else the CommandError that tells what happened. */
export function check(exit: TrackedExit, signal: AbortSignal, hint?: string): TrackedExit {
  if (exit.stopped) {
    throw new CommandError('E_COMMAND_ABORTED', 'aborted', details(exit), {
      cause: signal.reason,
    });
  }
  if (exit.startError !== undefined) {
    throw new CommandError('E_COMMAND_FAILED', 'could not start', details(exit), {
      cause: exit.startError,
      hint,
    });
  }
  if (exit.exitCode !== 0) {
    const how = exit.exitCode === undefined ? `killed by ${exit.signal}` : `exit ${exit.exitCode}`;
    throw new CommandError('E_COMMAND_FAILED', how, details(exit), { hint });
  }
  return exit;
}
