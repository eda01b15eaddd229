import { join } from 'node:path';
import { BondlabError, InputError } from '../../errors.js';
import { CommandError } from '../../exec/command-error.js';
import type { RunContext } from '../../lifecycle/run-context.js';
import type { GuestJob, GuestKernel, GuestResult, GuestRunOptions } from '../guest.js';
import { projectRoot } from '../guest-entry.js';
import { validateGuestJob } from '../guest-job.js';
import { MACHINE, VagrantCli } from './cli.js';
import { runGuestJob } from './job.js';
import { findVagrant } from './locate.js';
import { toGuestJob } from './paths.js';
import { copyShareIn, copyShareOut, removeShareInGuest } from './share.js';

export interface VagrantKernelOptions {
  /** The project on the host (default: found from this file: the folder with vagrant/Vagrantfile). */
  projectRoot?: string;
  /** `vagrant up --provider` (default: Vagrant's choice, e.g. VAGRANT_DEFAULT_PROVIDER). */
  provider?: string;
  /**
   * 'if-started': a VM this run booted is halted when the run closes; one that was already
   * running is left running. 'never': leave it running either way. Default: the environment
   * variable BONDLAB_VAGRANT_HALT, else 'if-started'.
   */
  halt?: HaltPolicy;
  /** Where to look for vagrant (default: PATH). */
  pathEnv?: string;
}

export type HaltPolicy = 'if-started' | 'never';

/** The halt policy BONDLAB_VAGRANT_HALT asks for (checked here, where it enters). */
export function haltPolicyFromEnv(value: string | undefined): HaltPolicy {
  if (value === undefined || value === '' || value === 'if-started') return 'if-started';
  if (value === 'never') return 'never';
  throw new InputError('BONDLAB_VAGRANT_HALT', value, 'expected if-started (the default) or never');
}

/** Teardown steps run without the run's (maybe aborted) signal, with limits of their own. */
const HALT_TIMEOUT_MS = 5 * 60_000;
const REMOVE_SHARE_TIMEOUT_MS = 2 * 60_000;

/**
 * Runs jobs in the Debian 12 VM of vagrant/Vagrantfile, under whatever provider Vagrant uses
 * (libvirt or VirtualBox). Per job: `vagrant status`, then `vagrant up` if the VM is not running
 * (it syncs the project) or `vagrant rsync` if it is, the job's shareDir copied in, the job run
 * through `vagrant ssh`, the shareDir copied back. A VM this run booted is halted when the run
 * closes, so a matrix of several jobs boots it once.
 */
export class VagrantKernel implements GuestKernel {
  readonly kind = 'vagrant' as const;
  readonly label: string;
  readonly binary: string;
  readonly projectRoot: string;
  readonly #options: VagrantKernelOptions;
  readonly #halt: HaltPolicy;
  /** Runs whose teardown already halts the VM. */
  readonly #haltRegistered = new WeakSet<RunContext>();

  /** Raises an EnvironmentError (with how to install it) when vagrant is not on PATH. */
  constructor(options: VagrantKernelOptions = {}) {
    this.binary = findVagrant(options.pathEnv);
    this.projectRoot = options.projectRoot ?? projectRoot();
    this.#options = options;
    this.#halt = options.halt ?? haltPolicyFromEnv(process.env.BONDLAB_VAGRANT_HALT);
    this.label = `vagrant:${MACHINE}`;
  }

  async run(ctx: RunContext, job: GuestJob, options: GuestRunOptions = {}): Promise<GuestResult> {
    const began = performance.now();
    // Validate before anything starts.
    validateGuestJob(job);
    const guestJob = toGuestJob(job, this.projectRoot);
    if (guestJob.cwdMoved) {
      ctx.log(
        `vagrant: ${job.cwd} is not in the VM (only the project and the share are); the job starts in ${job.shareDir}`,
      );
    }

    const deadline = new AbortController();
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            deadline.abort(
              new BondlabError(
                'E_COMMAND_TIMEOUT',
                `the Vagrant guest exceeded its ${options.timeoutMs} ms limit`,
              ),
            );
          }, options.timeoutMs);
    const signal = AbortSignal.any(
      [ctx.signal, deadline.signal, options.signal].filter((s) => s !== undefined),
    );
    const cli = new VagrantCli({
      binary: this.binary,
      vagrantDir: join(this.projectRoot, 'vagrant'),
      onSpawn: (pgid) => {
        ctx.trackProcessGroup(pgid);
      },
      log: ctx.log,
    });
    try {
      return await this.#run(ctx, cli, job, guestJob, signal, options, began);
    } catch (error) {
      // An abort surfaces as whatever the stopped command raised; report why it was stopped.
      if (signal.aborted && signal.reason instanceof BondlabError) throw signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async #run(
    ctx: RunContext,
    cli: VagrantCli,
    job: GuestJob,
    guestJob: ReturnType<typeof toGuestJob>,
    signal: AbortSignal,
    options: GuestRunOptions,
    began: number,
  ): Promise<GuestResult> {
    const status = await cli.status(signal);
    if (status.state === 'running') {
      await cli.rsync(signal);
    } else {
      if (this.#halt === 'if-started' && !this.#haltRegistered.has(ctx)) {
        this.#haltRegistered.add(ctx);
        ctx.defer(`halt the Vagrant VM ${cli.machine} (this run booted it)`, async () => {
          await cli.halt(AbortSignal.timeout(HALT_TIMEOUT_MS));
        });
      }
      ctx.log(
        `vagrant: ${cli.machine} is ${status.state}; vagrant up (the first one fetches the box and provisions: minutes)`,
      );
      await cli.up(signal, this.#options.provider);
    }

    const dropShare = ctx.defer(`remove ${job.shareDir} from the Vagrant VM`, async () => {
      await removeShareInGuest(cli, job.shareDir, AbortSignal.timeout(REMOVE_SHARE_TIMEOUT_MS));
    });
    try {
      await copyShareIn(cli, job.shareDir, signal);
    } catch (error) {
      // Exit 3: the folder was already there, so it is not ours to remove.
      if (error instanceof CommandError && error.exitCode === 3) dropShare();
      throw error;
    }

    const outcome = await runGuestJob(
      ctx,
      cli,
      guestJob,
      signal,
      options.onOutput ?? (() => undefined),
    );
    await copyShareOut(cli, job.shareDir, signal);
    dropShare();
    return {
      exitCode: outcome.exitCode,
      kernelRelease: outcome.kernelRelease,
      kind: 'vagrant',
      readyMs: outcome.readyAt - began,
      totalMs: performance.now() - began,
      consoleTail: outcome.consoleTail,
    };
  }
}
