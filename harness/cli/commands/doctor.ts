import { canProceed, runChecks } from '../../doctor/checks.js';
import type { Command } from '../command.js';

const MARK = { ok: 'ok  ', missing: 'MISS', info: 'info' } as const;

export const doctor: Command = {
  name: 'doctor',
  summary: 'check this machine: privileges, tools, kernel features, bonding, guest kernels',
  usage: 'doctor [--json]',
  description: [
    'Tries each kernel feature in a throwaway namespace (bonding included) and gives the fix for',
    'every missing piece. Exits 0 when a run can proceed, 2 when it cannot.',
  ].join('\n'),
  options: { json: { type: 'boolean', description: 'print the checks as JSON' } },
  async run({ values }, io) {
    const checks = await runChecks();
    const proceed = canProceed(checks);
    if (values.json === true) {
      io.out(JSON.stringify({ canProceed: proceed, checks }, null, 2));
    } else {
      for (const c of checks) {
        io.out(`${MARK[c.status]} ${c.name.padEnd(12)} ${c.detail}`);
        if (c.fix !== undefined && c.status !== 'ok') io.out(`     ${''.padEnd(12)} fix: ${c.fix}`);
      }
      io.out(
        proceed
          ? '\nbondlab can run here.'
          : '\nbondlab cannot run here yet: fix the MISS lines above.',
      );
    }
    return proceed ? 0 : 2;
  },
};
