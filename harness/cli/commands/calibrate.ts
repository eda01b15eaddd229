import { requireRoot } from '../../doctor/privilege.js';
import { InputError } from '../../errors.js';
import { withRun } from '../../lifecycle/run-context.js';
import {
  calibrate as runCalibration,
  DEFAULT_OUTAGES_MS,
  validateCalibration,
  type CalibrationResult,
} from '../../measure/calibrate.js';
import { PROBE_LIMITS } from '../../measure/probe-wire.js';
import { expectInteger } from '../../topology/validate.js';
import type { Command, Io } from '../command.js';
import { checkKernelOption } from '../kernel-option.js';
import { KERNEL_OPTION, onKernels } from '../on-kernels.js';

function parseList(field: string, text: string): number[] {
  const parts = text.split(',');
  // Digits beyond 2^53 are refused here, while the message can still show what was typed.
  if (parts.some((p) => !/^\s*\d+\s*$/.test(p) || !Number.isSafeInteger(Number(p)))) {
    throw new InputError(
      field,
      text,
      'expected comma-separated whole milliseconds, e.g. 20,50,100',
    );
  }
  return parts.map(Number);
}

/** The calibration's own field names, as the flags that set them. */
const FLAG_OF: Readonly<Record<string, string>> = {
  outages: '--outages',
  repeat: '--repeat',
  'probe.rate': '--rate',
};

const fmt = (ms: number | undefined, width = 9): string =>
  (ms === undefined ? 'none' : ms.toFixed(2)).padStart(width);
const signed = (ms: number): string => `${ms >= 0 ? '+' : ''}${ms.toFixed(2)}`;

function printHuman(r: CalibrationResult, io: Io): void {
  const res = r.resolution;
  io.out(
    `calibration on ${r.kernelRelease}: timer claims ${res.claimedNs ?? '?'} ns, HZ ${res.hz ?? '?'}, a 1 ms sleep takes ${res.sleep1msMs} ms`,
  );
  io.out(`probe ${r.rate}/s each way; achieved interval ${r.achievedIntervalMs} ms`);
  io.out('');
  io.out('injected ms  measured a→b  measured b→a    error ms');
  for (const s of r.samples) {
    const errors = [s.errorMs.aToB, s.errorMs.bToA].filter((e): e is number => e !== undefined);
    io.out(
      `${fmt(s.injectedMs, 11)}  ${fmt(s.measuredMs.aToB, 12)}  ${fmt(s.measuredMs.bToA, 12)}  ${errors.map(signed).join(' ')}`,
    );
  }
  io.out('');
  io.out('per length: error median [95% CI], min .. max (ms)');
  for (const { requestedMs, error } of r.errors) {
    io.out(
      `  ${String(requestedMs).padStart(5)} ms: ${signed(error.median)} [${signed(error.ci95[0])}, ${signed(error.ci95[1])}], ${signed(error.min)} .. ${signed(error.max)}  (n=${error.n})`,
    );
  }
  io.out('');
  io.out(
    `target |error| ≤ max(2 ms, 2 probe intervals) = ${r.toleranceMs} ms; worst ${r.worstAbsErrorMs} ms: ${r.withinTolerance ? 'met' : 'NOT met'}`,
  );
}

export const calibrate: Command = {
  name: 'calibrate',
  summary: 'measure outages of known length on a plain path: how exact the probe is here',
  usage: 'calibrate [--outages 20,50,100,200] [--repeat N] [--rate N] [--json] [--kernel K]',
  description: [
    'Builds two hosts on a switch (no bond), runs the failover probe between them, and disables',
    'the switch port for each requested length. Prints measured against injected. Needs no',
    'bonding, so `auto` runs it on this kernel. Exit status 1 when the error target is missed.',
  ].join('\n'),
  options: {
    outages: {
      type: 'string',
      valueName: 'ms,...',
      description: `outage lengths, ms (default ${DEFAULT_OUTAGES_MS.join(',')})`,
    },
    repeat: {
      type: 'string',
      valueName: 'n',
      description: 'injections of each length (default 3)',
    },
    rate: {
      type: 'string',
      valueName: 'n',
      description: 'probes per second each way (default 1000)',
    },
    json: { type: 'boolean', description: 'print the whole result as JSON' },
    kernel: KERNEL_OPTION,
  },
  async run(args, io) {
    const { values } = args;
    const options = {
      ...(typeof values.outages === 'string'
        ? { outagesMs: parseList('--outages', values.outages) }
        : {}),
      ...(typeof values.repeat === 'string'
        ? { repeat: expectInteger('--repeat', values.repeat, 1, 100) }
        : {}),
      probe:
        typeof values.rate === 'string'
          ? {
              rate: expectInteger(
                '--rate',
                values.rate,
                PROBE_LIMITS.minRate,
                PROBE_LIMITS.maxRate,
              ),
            }
          : {},
    };
    // Checked here, before anything is built or booted: bad input creates nothing.
    try {
      validateCalibration(options);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      // `outages[1]` becomes `--outages[1]`: the flag, and which of its items.
      const [, name = '', item = ''] = /^(.*?)(\[\d+\])?$/.exec(error.field) ?? [];
      const flag = FLAG_OF[name];
      if (flag === undefined) throw error;
      throw new InputError(`${flag}${item}`, error.value, error.allowed);
    }
    checkKernelOption(values.kernel);
    requireRoot('calibrate', 'to build its two hosts and a switch in network namespaces');
    return onKernels(
      'calibrate',
      args,
      io,
      () =>
        withRun(
          async (run) => {
            const result = await runCalibration(run, options);
            if (values.json === true) io.out(JSON.stringify(result, null, 2));
            else printHuman(result, io);
            return result.withinTolerance ? 0 : 1;
          },
          { log: io.err, handleSignals: true },
        ),
      { needsBonding: false },
    );
  },
};
