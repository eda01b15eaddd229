import { isAbsolute } from 'node:path';
import { InputError } from '../../errors.js';
import type { GuestJob } from '../guest.js';
import type { UmlInstall } from './install.js';

export interface UmlBoot {
  install: UmlInstall;
  memoryMb: number;
  /** Host folder for the file that backs guest memory (UML's TMPDIR). */
  memoryDir: string;
  /** Host folder where UML keeps its per-guest folder (pid file, mconsole socket). */
  umlDir: string;
  /** The guest's unique name: its folder under umlDir. */
  umid: string;
  /** init.sh (its folder holds fstab and modprobe.sh). */
  init: string;
  /** supervise.sh, which runs linux.uml on the host. */
  supervisor: string;
  node: string;
  entry: string;
  shareDir: string;
  jobFile: string;
}

export interface UmlLaunch {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * Cuts launch-to-init from 2.4 s to 0.55 s: no legacy ptys to register, no RAID6 and XOR
 * benchmarks at boot (KERNELS.md).
 */
const FAST_BOOT = [
  'quiet',
  'pty.legacy_count=0',
  'initcall_blacklist=raid6_select_algo,calibrate_xor_blocks',
];

/** Characters a path may hold to be a kernel command-line word and a hostfs mount option. */
const WORD_SAFE = /^\/[A-Za-z0-9._/+@%:-]*$/;

/** Host folders the guest covers with its own mounts: the guest cannot see the host's files there. */
const HIDDEN_IN_GUEST = ['/tmp', '/run', '/dev', '/proc', '/sys'];

/** True if `path` is `dir` or inside it. */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** Checks a host path the guest must reach through the command line; says why it cannot. */
export function checkGuestPath(field: string, path: string, mustBeVisible: boolean): void {
  if (!WORD_SAFE.test(path)) {
    throw new InputError(
      field,
      path,
      'a path handed to a UML guest may hold only letters, digits and . _ / + @ % : - (no spaces, commas or quotes)',
    );
  }
  const hidden = HIDDEN_IN_GUEST.find((dir) => isWithin(path, dir));
  if (mustBeVisible && hidden !== undefined) {
    throw new InputError(
      field,
      path,
      `the guest mounts its own ${hidden}, so it cannot see this host path; move it elsewhere`,
    );
  }
}

/**
 * The argv and environment that boot a UML guest on the host's root filesystem (read-only,
 * through hostfs) and run init.sh, tied to this process so that nothing outlives it: linux.uml
 * runs under supervise.sh, the first process of a new PID namespace (`unshare --pid --fork`),
 * which stops it when its standard input (a pipe from this process) ends, and whose end empties
 * the namespace.
 */
export function umlCommandLine(boot: UmlBoot): UmlLaunch {
  checkGuestPath('uml init script', boot.init, true);
  checkGuestPath('uml supervisor', boot.supervisor, false);
  checkGuestPath('node', boot.node, true);
  checkGuestPath('guest entry', boot.entry, true);
  checkGuestPath('job.shareDir', boot.shareDir, false);
  checkGuestPath('uml_dir', boot.umlDir, false);
  const kernelArgs = [
    `mem=${boot.memoryMb}M`,
    'root=/dev/root',
    'rootfstype=hostfs',
    'rootflags=/',
    'ro',
    `init=${boot.init}`,
    // The console is the process's stdin and stdout; no other consoles or serial lines.
    'con0=fd:0,fd:1',
    'con=null',
    'ssl=null',
    ...FAST_BOOT,
    `uml_dir=${boot.umlDir}`,
    `umid=${boot.umid}`,
    // Words like NAME=value become init's environment.
    `BONDLAB_SHARE=${boot.shareDir}`,
    `BONDLAB_JOB=${boot.jobFile}`,
    `BONDLAB_NODE=${boot.node}`,
    `BONDLAB_ENTRY=${boot.entry}`,
  ];
  return {
    file: boot.install.unshare,
    args: ['--pid', '--fork', '--', '/bin/sh', boot.supervisor, boot.install.binary, ...kernelArgs],
    // UML backs guest memory with a nameless file (O_TMPFILE) in TMPDIR: nothing to clean up.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: boot.memoryDir },
  };
}

/**
 * Checks that the job's working directory and program are visible in the guest: the host's tree
 * is, except under the folders the guest mounts its own tmpfs on, where only the share folder is.
 */
export function checkJobVisible(job: GuestJob): void {
  const places: [string, string][] = [['job.cwd', job.cwd]];
  const program = job.argv[0];
  if (program !== undefined && isAbsolute(program)) places.push(['job.argv[0]', program]);
  for (const [field, path] of places) {
    const hidden = HIDDEN_IN_GUEST.find((dir) => isWithin(path, dir));
    if (hidden !== undefined && !isWithin(path, job.shareDir)) {
      throw new InputError(
        field,
        path,
        `the guest mounts its own ${hidden}, so only the share folder is visible there`,
      );
    }
  }
}
