import type { GuestOutput } from '../guest.js';
import { BondlabError, InputError } from '../../errors.js';
import { CommandError } from '../../exec/command-error.js';
import type { RunContext } from '../../lifecycle/run-context.js';
import { details, type VagrantCli } from './cli.js';
import { GUEST_PROJECT_ROOT, GUEST_RUN_JOB, type GuestSideJob } from './paths.js';
import type { TrackedProcess } from './process.js';

/** The line vagrant/guest/run-job.sh prints right before it starts the job. */
export const READY_LINE = /^@@bondlab-vagrant ready kernel=(\S+)$/;

/** How long the VM gives a stopping job between SIGTERM and SIGKILL, seconds. */
export const GUEST_STOP_GRACE_S = 15;

const TAIL_LINES = 50;

/** Where the wrapper and the project are, and how to become root: the VM's, or a test's. */
export interface JobLayout {
  runJob: string;
  projectRoot: string;
  asRoot: readonly string[];
}

/** The VM's layout: sudo without a password prompt (Vagrant boxes allow it). */
export const GUEST_LAYOUT: JobLayout = {
  runJob: GUEST_RUN_JOB,
  projectRoot: GUEST_PROJECT_ROOT,
  asRoot: ['sudo', '-n', '--'],
};

/**
 * The argv that `vagrant ssh` runs in the VM for `job`: sudo, the guest wrapper, then `env` with
 * the job's variables and its argv. Every word is passed through unchanged; quoting for the
 * remote shell happens once, in VagrantCli.ssh.
 */
export function remoteJobArgv(
  job: Pick<GuestSideJob, 'argv' | 'cwd' | 'env'>,
  stopGraceS = GUEST_STOP_GRACE_S,
  layout: JobLayout = GUEST_LAYOUT,
): string[] {
  const [file] = job.argv;
  if (file === undefined || file.includes('=')) {
    // `env` would take a first word with "=" for a variable.
    throw new InputError('argv[0]', file, 'a program name or path without "="');
  }
  const vars = Object.entries(job.env).map(([name, value]) => `${name}=${value}`);
  return [
    ...layout.asRoot,
    'env',
    `BONDLAB_STOP_GRACE=${stopGraceS}`,
    'sh',
    layout.runJob,
    layout.projectRoot,
    job.cwd,
    '--',
    'env',
    '--',
    ...vars,
    ...job.argv,
  ];
}

export interface GuestJobOutcome {
  exitCode: number;
  kernelRelease: string;
  /** performance.now() when the job started in the VM. */
  readyAt: number;
  consoleTail: string[];
}

/**
 * Runs the job in the VM through `vagrant ssh` and passes its exit status through. The ssh
 * process's stdin is the job's lifeline (see run-job.sh): the teardown registered before the
 * launch closes it, which stops the job in the VM (SIGTERM, then SIGKILL after the VM's grace),
 * and kills the local `vagrant ssh` group if it has not ended by then.
 */
export async function runGuestJob(
  ctx: RunContext,
  cli: VagrantCli,
  job: GuestSideJob,
  signal: AbortSignal,
  onOutput: GuestOutput,
): Promise<GuestJobOutcome> {
  const tail: string[] = [];
  let kernelRelease: string | undefined;
  let readyAt = 0;
  const running: { proc?: TrackedProcess } = {};
  const dropStop = ctx.defer('stop the job in the Vagrant VM', async () => {
    await running.proc?.stop();
  });
  const proc = cli.ssh(remoteJobArgv(job), {
    signal,
    stdin: 'pipe',
    stopWith: 'close-stdin',
    graceMs: (GUEST_STOP_GRACE_S + 15) * 1000,
    onLine: (line, stream) => {
      if (kernelRelease === undefined) {
        const ready = READY_LINE.exec(line);
        if (ready !== null) {
          kernelRelease = ready[1];
          readyAt = performance.now();
          return;
        }
        ctx.log(`vagrant vm: ${line}`);
      } else {
        onOutput(line, stream);
      }
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    },
  });
  running.proc = proc;
  const exit = await proc.done;
  dropStop();
  if (exit.stopped) {
    if (signal.reason instanceof BondlabError) throw signal.reason;
    throw new CommandError(
      'E_COMMAND_ABORTED',
      'the job in the Vagrant VM was stopped',
      details(exit),
      {
        cause: signal.reason,
      },
    );
  }
  if (kernelRelease === undefined || exit.exitCode === undefined) {
    throw new CommandError(
      'E_COMMAND_FAILED',
      kernelRelease === undefined
        ? 'the job did not start in the Vagrant VM'
        : `vagrant ssh ended by ${exit.signal ?? 'an unknown cause'}`,
      details(exit),
      {
        hint:
          'check that `vagrant ssh bondlab` works from vagrant/, and re-run the provisioning with ' +
          '`vagrant provision bondlab` there',
      },
    );
  }
  return { exitCode: exit.exitCode, kernelRelease, readyAt, consoleTail: tail };
}
