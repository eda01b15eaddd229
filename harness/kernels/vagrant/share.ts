import { CommandError } from '../../exec/command-error.js';
import { check, details, type VagrantCli } from './cli.js';
import { startTracked, type TrackedExit } from './process.js';

// Fixed scripts for the VM's sh: the folder comes in as $1, never spliced into the text.
const UNPACK =
  'if [ -e "$1" ]; then echo "$1 already exists in the VM (left by a killed run?): remove it" >&2; exit 3; fi; ' +
  'mkdir -p -- "$1" && tar -C "$1" -xf -';
const PACK_AND_REMOVE = 'tar -C "$1" -cf - . && rm -rf -- "$1"';
const REMOVE = 'rm -rf -- "$1"';

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
  if (pack.stdout === null) throw new Error('tar: no stdout');
  const unpack = cli.ssh(asRoot(UNPACK, dir), { signal, stdin: pack.stdout });
  const [packed, unpacked] = await Promise.all([pack.done, unpack.done]);
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
  if (pack.stdout === null) throw new Error('vagrant ssh: no stdout');
  const unpack = startTracked('tar', ['-C', dir, '--no-same-owner', '-xf', '-'], {
    stdin: pack.stdout,
    signal,
    graceMs: 2_000,
  });
  const [packed, unpacked] = await Promise.all([pack.done, unpack.done]);
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
