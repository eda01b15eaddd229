import { EnvironmentError } from '../errors.js';
import { findQemuInstall } from '../kernels/qemu/install.js';
import { cachedDebianKernels } from '../kernels/qemu/debian-kernel.js';
import { findUmlInstall, umlRelease } from '../kernels/uml/install.js';
import { findVagrant } from '../kernels/vagrant/locate.js';
import type { Check } from './checks.js';

/** Turns an install finder into a check: ok with its detail, or missing with its hint. */
function probe(name: string, find: () => string): Check {
  try {
    return { name, status: 'ok', detail: find(), required: false };
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    return { name, status: 'info', detail: error.message, fix: error.hint, required: false };
  }
}

/** The guest kernels this machine can boot, each with what is missing for the others. */
export function guestChecks(): Check[] {
  return [
    probe('guest: uml', () => {
      findUmlInstall();
      return `User-mode Linux ${umlRelease() ?? ''} (--kernel uml)`;
    }),
    probe('guest: qemu', () => {
      const q = findQemuInstall();
      const cached = cachedDebianKernels();
      const kernels =
        cached.length === 0 ? 'no kernel prepared yet' : `prepared: ${cached.join(', ')}`;
      return `${q.kvm ? 'KVM' : 'software emulation (no /dev/kvm)'}; ${kernels} (--kernel qemu[:VERSION])`;
    }),
    probe(
      'guest: vagrant',
      () => `${findVagrant()} (--kernel vagrant; needs libvirt or VirtualBox)`,
    ),
  ];
}
