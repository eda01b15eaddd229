import { checkGuestPath } from '../guest-paths.js';
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
