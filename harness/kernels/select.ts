import type { GuestKernel } from './guest.js';
import { hostHasBonding } from './host.js';
import { kernelLabel, type KernelChoice } from './choice.js';
import { qemuKernel } from './qemu/qemu-kernel.js';
import { umlKernel } from './uml/uml-kernel.js';
import { VagrantKernel } from './vagrant/kernel.js';

/** Where a command runs: here, or in a guest kernel. */
export type KernelTarget =
  | { kind: 'host'; label: 'host'; reason: string }
  | { kind: 'guest'; label: string; reason: string; guest: GuestKernel };

/**
 * Resolves one `--kernel` choice. `auto` is the host when a bond can be created in a throwaway
 * namespace here (or the command needs none), else User-mode Linux. The reason says why, for the
 * user.
 */
export async function selectKernel(
  choice: KernelChoice,
  options: { needsBonding?: boolean } = {},
): Promise<KernelTarget> {
  switch (choice.kind) {
    case 'host':
      return { kind: 'host', label: 'host', reason: 'asked for with --kernel host' };
    case 'auto':
      if (options.needsBonding === false) {
        return { kind: 'host', label: 'host', reason: 'auto: this command needs no bonding' };
      }
      if (await hostHasBonding()) {
        return { kind: 'host', label: 'host', reason: 'auto: this kernel has bonding' };
      }
      return guest(umlKernel(), 'auto: this kernel has no bonding, so User-mode Linux');
    case 'uml':
      return guest(umlKernel(), 'asked for with --kernel uml');
    case 'qemu':
      return guest(qemuKernel(choice), `asked for with --kernel ${kernelLabel(choice)}`);
    case 'vagrant':
      return guest(new VagrantKernel(), 'asked for with --kernel vagrant');
  }
}

function guest(g: GuestKernel, reason: string): KernelTarget {
  return { kind: 'guest', label: g.label, reason, guest: g };
}
