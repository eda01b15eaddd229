import { canProceed, runChecks, type Check } from '../../doctor/checks.js';
import { requireRoot } from '../../doctor/privilege.js';
import type { Command } from '../command.js';
import { checkKernelOption } from '../kernel-option.js';
import { KERNEL_OPTION, onKernels } from '../on-kernels.js';

function mark(c: Check): string {
  if (c.status === 'ok') return 'ok  ';
  if (c.status === 'info') return 'info';
  return c.required ? 'MISS' : 'warn';
}

export const doctor: Command = {
  name: 'doctor',
  summary: 'check this machine: privileges, tools, kernel features, bonding, guest kernels',
  usage: 'doctor [--json] [--kernel K]',
  description: [
    'Tries each kernel feature in a throwaway namespace (bonding included), lists the guest kernels',
    'this machine can boot, and gives the fix for every missing piece. Exits 0 when a run can',
    'proceed, 2 when it cannot. With --kernel, runs the same checks inside that kernel instead.',
  ].join('\n'),
  options: {
    json: { type: 'boolean', description: 'print the checks as JSON' },
    kernel: { ...KERNEL_OPTION, description: 'check inside this kernel (default: this machine)' },
  },
  async run(args, io) {
    const here = async (): Promise<number> => {
      const checks = await runChecks();
      const proceed = canProceed(checks);
      if (args.values.json === true) {
        io.out(JSON.stringify({ canProceed: proceed, checks }, null, 2));
      } else {
        for (const c of checks) {
          io.out(`${mark(c)} ${c.name.padEnd(14)} ${c.detail}`);
          if (c.fix !== undefined && c.status !== 'ok')
            io.out(`     ${''.padEnd(14)} fix: ${c.fix}`);
        }
        io.out(
          proceed
            ? '\nbondlab can run here.'
            : '\nbondlab cannot run here yet: fix the MISS lines above.',
        );
      }
      return proceed ? 0 : 2;
    };
    if (args.values.kernel === undefined) return here();
    checkKernelOption(args.values.kernel);
    // Here doctor itself checks privileges; a guest needs them first, to be recorded and booted.
    requireRoot('doctor --kernel', 'to boot a guest kernel and record it for bondlab clean');
    return onKernels('doctor', args, io, here);
  },
};
