import { accessSync, constants, existsSync } from 'node:fs';
import { EnvironmentError } from '../../errors.js';
import { findOnPath } from '../find-program.js';
import { isStaticElf } from './elf.js';

/** The host programs a QEMU guest needs, as absolute paths. */
export interface QemuInstall {
  qemu: string;
  /** A statically linked busybox (Debian's busybox-static): the initramfs's only program. */
  busybox: string;
  /** util-linux `setpriv`: ties QEMU's life to the harness (parent-death signal). */
  setpriv: string;
  /** Whether /dev/kvm is usable; if not, QEMU emulates the CPU (TCG), ~10x slower. */
  kvm: boolean;
  /** qboot (qemu-system-data), a firmware that only boots Linux; undefined: QEMU's SeaBIOS. */
  firmware: string | undefined;
}

const QBOOT = '/usr/share/qemu/qboot.rom';

const APT = 'apt-get update && apt-get install -y --no-install-recommends';

/**
 * Finds QEMU and the helpers a guest needs, or says exactly what to install. Checked on every run
 * (a few stat calls), so an install made meanwhile is picked up.
 */
export function findQemuInstall(): QemuInstall {
  // sbin folders too: a non-login root shell may lack them, and modprobe lives there.
  const path = `${process.env.PATH ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin`;
  const qemu = findOnPath('qemu-system-x86_64', path);
  if (qemu === undefined) {
    throw new EnvironmentError('qemu-system-x86_64 is not installed: the qemu kernels need it', {
      hint: `${APT} qemu-system-x86`,
    });
  }
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find(isStaticBusybox);
  if (busybox === undefined) {
    throw new EnvironmentError(
      'no statically linked busybox: the qemu guest boots from an initramfs holding it',
      { hint: `${APT} busybox-static` },
    );
  }
  for (const [program, pkg, why] of [
    ['modprobe', 'kmod', 'the qemu guest loads bonding with it'],
    ['depmod', 'kmod', 'Debian kernel packages ship no modules.dep'],
    ['xz', 'xz-utils', 'it unpacks the vmlinux of Debian kernels'],
  ] as const) {
    if (findOnPath(program, path) === undefined) {
      throw new EnvironmentError(`${program} is not installed: ${why}`, {
        hint: `${APT} ${pkg}`,
      });
    }
  }
  const setpriv = findOnPath('setpriv', path);
  if (setpriv === undefined) {
    throw new EnvironmentError(
      'setpriv is not installed: the qemu guest is tied to bondlab with it',
      {
        hint: `${APT} util-linux`,
      },
    );
  }
  return {
    qemu,
    busybox,
    setpriv,
    kvm: kvmUsable(),
    firmware: existsSync(QBOOT) ? QBOOT : undefined,
  };
}

function isStaticBusybox(path: string): boolean {
  try {
    return isStaticElf(path);
  } catch {
    return false;
  }
}

/** Whether this process can open /dev/kvm for reading and writing. */
export function kvmUsable(device = '/dev/kvm'): boolean {
  try {
    accessSync(device, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
