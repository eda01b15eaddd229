import { pipeline } from 'node:stream/promises';
import { CommandError } from '../../exec/command-error.js';
import { check, details, type VagrantCli } from './cli.js';
import { startTracked, type TrackedExit, type TrackedProcess } from './process.js';

// Fixed scripts for the VM's sh: the folder comes in as $1, never spliced into the text.
const UNPACK =
  'if [ -e "$1" ]; then echo "$1 already exists in the VM (left by a killed run?): remove it" >&2; exit 3; fi; ' +
  'mkdir -p -- "$1" && tar -C "$1" -xf -';
const PACK_AND_REMOVE = 'tar -C "$1" -cf - . && rm -rf -- "$1"';
const REMOVE = 'rm -rf -- "$1"';

/**
 * Pipes one process's stdout into another's stdin. A broken pipe is not reported here: the
 * process that died says why in its own exit.
 */
async function connect(from: TrackedProcess, to: TrackedProcess): Promise<void> {
  if (from.stdout === null || to.stdin === null) throw new Error('connect: streams not piped');
  await pipeline(from.stdout, to.stdin).catch(() => undefined);
}

function asRoot(script: string, dir: string): string[] {
  return ['sudo', '-n', '--', 'sh', '-c', script, 'sh', dir];
}

/**
 * The job's shareDir goes to the VM at the same path, and back after the job, as tar streams over
 * `vagrant ssh` (no shared folder: see vagrant/Vagrantfile). Results reach the host only once the
 * job has ended, all at once.
 */
export async function copyShareIn(
  cli: VagrantCli,
  dir: string,
  signal: AbortSignal,
): Promise<void> {
  const pack = startTracked('tar', ['-C', dir, '-cf', '-', '.'], {
    stdout: 'pipe',
    signal,
    graceMs: 2_000,
  });
  const unpack = cli.ssh(asRoot(UNPACK, dir), { signal, stdin: 'pipe' });
  const [packed, unpacked] = await Promise.all([pack.done, unpack.done, connect(pack, unpack)]);
  check(packed, signal);
  check(unpacked, signal);
}

/** Brings the VM's copy of `dir` back into `dir` on the host, and removes it from the VM. */
export async function copyShareOut(
  cli: VagrantCli,
  dir: string,
  signal: AbortSignal,
): Promise<void> {
  const pack = cli.ssh(asRoot(PACK_AND_REMOVE, dir), { signal, stdout: 'pipe' });
  const unpack = startTracked('tar', ['-C', dir, '--no-same-owner', '-xf', '-'], {
    stdin: 'pipe',
    signal,
    graceMs: 2_000,
  });
  const [packed, unpacked] = await Promise.all([pack.done, unpack.done, connect(pack, unpack)]);
  check(packed, signal);
  checkUnpacked(unpacked, signal);
}

function checkUnpacked(exit: TrackedExit, signal: AbortSignal): void {
  try {
    check(exit, signal);
  } catch (error) {
    if (!(error instanceof CommandError) || error.code !== 'E_COMMAND_FAILED') throw error;
    throw new CommandError(
      'E_COMMAND_FAILED',
      'the job results from the VM did not unpack',
      details(exit),
      {
        cause: error,
      },
    );
  }
}

/** Removes the VM's copy of `dir` (teardown after a failure: nothing comes back). */
export async function removeShareInGuest(
  cli: VagrantCli,
  dir: string,
  signal: AbortSignal,
): Promise<void> {
  check(await cli.ssh(asRoot(REMOVE, dir), { signal }).done, signal);
}
