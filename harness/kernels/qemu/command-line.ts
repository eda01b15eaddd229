import { checkGuestPath, HIDDEN_IN_GUEST, isWithin } from '../guest-paths.js';
import type { QemuInstall } from './install.js';
import type { PreparedKernel } from './prepared-kernel.js';

export interface QemuBoot {
  install: QemuInstall;
  kernel: PreparedKernel;
  initramfs: string;
  memoryMb: number;
  cpus: number;
  /** Shown by `ps` and in QEMU's own messages. */
  name: string;
  node: string;
  entry: string;
  shareDir: string;
  jobFile: string;
  /** More kernel command-line words (a kernel developer's `dyndbg=...`, `loglevel=7`). */
  append: readonly string[];
}

export interface QemuLaunch {
  file: string;
  args: string[];
}

/**
 * Kernel command-line words that make an emulated boot faster: no serial-console chatter, CRNG
 * seeded from the (emulated) RDRAND instead of jitter entropy (node blocks on getrandom() at
 * start), no crypto self-tests, and a panic ends QEMU at once (-no-reboot) instead of hanging.
 */
const FAST_BOOT = ['quiet', 'random.trust_cpu=on', 'cryptomgr.notests', 'panic=-1'];

/**
 * Where the guest finds the kernel's modules: through the host's root when it can see them there
 * (one virtio device less: ~0.4 s of boot under emulation), else through an export of their own.
 */
export function guestModules(modulesRoot: string | undefined): {
  inGuest: string | undefined;
  exported: string | undefined;
} {
  if (modulesRoot === undefined) return { inGuest: undefined, exported: undefined };
  const hidden = HIDDEN_IN_GUEST.some((dir) => isWithin(modulesRoot, dir));
  return hidden
    ? { inGuest: '/run/bondlab/modules', exported: modulesRoot }
    : { inGuest: modulesRoot, exported: undefined };
}

/**
 * The argv that boots a QEMU guest (PC machine, 9p root, the initramfs's init.sh) with its
 * console on stdout, tied to this process: `setpriv --pdeathsig KILL` makes the kernel kill QEMU
 * when its parent dies, even by SIGKILL. QEMU starts no helper processes here, and leaves no
 * files: memory is anonymous, the console is a pipe.
 */
export function qemuCommandLine(boot: QemuBoot): QemuLaunch {
  checkGuestPath('node', boot.node, true);
  checkGuestPath('guest entry', boot.entry, true);
  checkGuestPath('job.shareDir', boot.shareDir, false);
  for (const [field, path] of [
    ['kernel image', boot.kernel.image],
    ['initramfs', boot.initramfs],
    ['kernel modules', boot.kernel.modulesRoot],
  ] as const) {
    // QEMU splits options on commas; the paths are checked so that none can hold one.
    if (path !== undefined) checkGuestPath(field, path, false);
  }
  const { install, kernel } = boot;
  const modules = guestModules(kernel.modulesRoot);
  const kernelArgs = [
    'console=ttyS0',
    'rdinit=/init',
    ...FAST_BOOT,
    // Words like NAME=value become init's environment.
    `BONDLAB_SHARE=${boot.shareDir}`,
    `BONDLAB_JOB=${boot.jobFile}`,
    `BONDLAB_NODE=${boot.node}`,
    `BONDLAB_ENTRY=${boot.entry}`,
    ...(modules.inGuest === undefined ? [] : [`BONDLAB_MODULES=${modules.inGuest}`]),
    ...boot.append,
  ];
  const share = (tag: string, path: string, readonly: boolean): string[] => [
    '-virtfs',
    `local,path=${path},mount_tag=${tag},security_model=none,multidevs=remap${readonly ? ',readonly=on' : ''}`,
  ];
  const args = [
    '-name',
    boot.name,
    // The PC machine: microvm hung 1 boot in 6 on timer calibration (KERNELS.md).
    ...['-machine', 'pc', '-accel', install.kvm ? 'kvm' : 'tcg'],
    // max: RDRAND for the CRNG, and what the host has under KVM.
    ...[
      '-cpu',
      install.kvm ? 'host' : 'max',
      '-smp',
      String(boot.cpus),
      '-m',
      String(boot.memoryMb),
    ],
    ...['-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot'],
    // qboot: a firmware that only boots Linux, ~0.3 s sooner than SeaBIOS under emulation.
    ...(install.firmware === undefined ? [] : ['-bios', install.firmware]),
    ...['-kernel', kernel.image, '-initrd', boot.initramfs, '-append', kernelArgs.join(' ')],
    // The console: the guest's ttyS0 on QEMU's stdout; nothing is typed in.
    ...['-chardev', 'stdio,id=console,signal=off', '-serial', 'chardev:console'],
    ...['-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'],
    ...share('bondlab-root', '/', true),
    ...share('bondlab-share', boot.shareDir, false),
    ...(modules.exported === undefined ? [] : share('bondlab-modules', modules.exported, true)),
  ];
  return {
    file: install.setpriv,
    args: ['--pdeathsig', 'KILL', '--', install.qemu, ...args],
  };
}
