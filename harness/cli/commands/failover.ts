import { requireRoot } from '../../doctor/privilege.js';
import { InputError } from '../../errors.js';
import { withRun } from '../../lifecycle/run-context.js';
import { FAILOVER_METRICS, measureFailover } from '../../measure/failover.js';
import { PROBE_LIMITS } from '../../measure/probe-wire.js';
import { repeatMeasurement, type MetricSamples } from '../../measure/repeat.js';
import type { BondOptionsInput } from '../../topology/bond-options.js';
import { bondedPair } from '../../topology/examples.js';
import { resolveTopology } from '../../topology/resolve.js';
import { Topology } from '../../topology/topology.js';
import { expectInteger } from '../../topology/validate.js';
import type { Command, Io } from '../command.js';
import { checkKernelOption } from '../kernel-option.js';
import { KERNEL_OPTION, onKernels } from '../on-kernels.js';

const DEFAULT_BOND = 'mode=active-backup,miimon=100';

/** `mode=active-backup,miimon=100,arp_ip_target=server+198.18.0.9` into bond options. */
export function parseBondFlag(text: string): BondOptionsInput {
  // A Map, not an object: `__proto__=1` assigned to an object sets its prototype and vanishes,
  // where it must reach the option check and be refused like any unknown name.
  const out = new Map<string, unknown>();
  for (const pair of text.split(',')) {
    const m = /^([a-z_0-9]+)=(.+)$/.exec(pair.trim());
    if (m === null) {
      throw new InputError(
        '--bond',
        text,
        'expected option=value pairs separated by commas, e.g. mode=active-backup,miimon=100',
      );
    }
    const [, name = '', value = ''] = m;
    if (out.has(name)) throw new InputError('--bond', text, `${name} is given twice`);
    out.set(
      name,
      name === 'arp_ip_target' || name === 'ns_ip6_target'
        ? value.split('+')
        : // Digits beyond 2^53 stay text, so the error shows what was typed, not a rounded number.
          /^\d+$/.test(value) && Number.isSafeInteger(Number(value))
          ? Number(value)
          : value === 'true' || value === 'false'
            ? value === 'true'
            : value,
    );
  }
  // fromEntries defines own properties: `__proto__` stays a key the option check refuses.
  return Object.fromEntries(out);
}

function printHuman(io: Io, metrics: MetricSamples[]): void {
  const cell = (x: number | undefined): string =>
    (x === undefined ? '-' : x.toFixed(2)).padStart(9);
  io.out(
    `${'metric'.padEnd(27)}${['median', 'p95', 'min', 'max', 'stddev'].map((h) => h.padStart(9)).join('')}  95% CI of median`,
  );
  for (const m of metrics) {
    const s = m.summary;
    if (s === undefined) continue;
    io.out(
      `${`${m.name} (${m.unit})`.padEnd(27)}${[s.median, s.p95, s.min, s.max, s.stddev].map(cell).join('')}  [${s.ci95[0].toFixed(2)}, ${s.ci95[1].toFixed(2)}] n=${s.n}`,
    );
  }
}

export const failover: Command = {
  name: 'failover',
  summary: 'measure failover of the seed bond: detection, outage, loss, failback',
  usage:
    'failover [--bond k=v,...] [--repeat N] [--rate N] [--fault-ms MS] [--throughput] [--json] [--kernel K]',
  description: [
    'Builds the bonded pair (client bond0 over eth0 and eth1 into a switch, and a server), runs',
    "probes both ways and records the bond namespace's netlink events, takes the carrier away",
    'from the active slave, restores it, and reports the control plane (detection) and the data',
    `plane (outage, lost probes) side by side. Default bond: ${DEFAULT_BOND}.`,
  ].join('\n'),
  options: {
    bond: {
      type: 'string',
      valueName: 'k=v,...',
      description: `bond options (default ${DEFAULT_BOND})`,
    },
    repeat: {
      type: 'string',
      valueName: 'n',
      description: 'repetitions, each on a fresh topology (default 1)',
    },
    rate: {
      type: 'string',
      valueName: 'n',
      description: 'probes per second each way (default 1000)',
    },
    'fault-ms': {
      type: 'string',
      valueName: 'ms',
      description: 'how long the fault lasts before it is restored (default 2000)',
    },
    throughput: { type: 'boolean', description: 'run iperf3 (TCP) across the fault too' },
    json: { type: 'boolean', description: 'print every result and summary as JSON' },
    kernel: KERNEL_OPTION,
  },
  async run(args, io) {
    const { values } = args;
    const bond = parseBondFlag(typeof values.bond === 'string' ? values.bond : DEFAULT_BOND);
    // Checked here, before any guest boots: bad input costs nothing and creates nothing.
    try {
      resolveTopology(bondedPair(bond));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const option = error.field.replace(/^topology\.bonds\[0\]\.options\.?/, '');
      throw new InputError(`--bond ${option}`.trim(), error.value, error.allowed);
    }
    const repeat = expectInteger('--repeat', values.repeat ?? '1', 1, 100);
    const rate = expectInteger(
      '--rate',
      values.rate ?? '1000',
      PROBE_LIMITS.minRate,
      PROBE_LIMITS.maxRate,
    );
    const faultMs = expectInteger('--fault-ms', values['fault-ms'] ?? '2000', 10, 600_000, 'ms');
    checkKernelOption(values.kernel);
    requireRoot('failover', 'to build the bonded pair in network namespaces');
    return onKernels('failover', args, io, () =>
      withRun(
        async (run) => {
          const repeated = await repeatMeasurement(
            repeat,
            async (i) => {
              const topo = await Topology.build(run, bondedPair(bond));
              const r = await measureFailover(run, topo, {
                peer: 'server',
                probe: { rate },
                faultMs,
                ...(values.throughput === true ? { throughput: { protocol: 'tcp' } } : {}),
              });
              await topo.destroy();
              io.err(
                `failover ${i + 1}/${repeat}: detection ${r.detectionMs ?? 'none'} ms, outage ${r.outageMs} ms, lost ${r.failover.lost}${r.activeBefore === undefined ? '' : `, active ${r.activeBefore} → ${r.activeAfter ?? 'none'}`}`,
              );
              return r;
            },
            FAILOVER_METRICS,
            run.signal,
          );
          const first = repeated.results[0];
          if (values.json === true) {
            io.out(JSON.stringify({ bond, repeat, rate, faultMs, ...repeated }, null, 2));
          } else if (first !== undefined) {
            io.out(
              `failover of client:bond0 (${Object.entries(bond)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(' ')}) on ${first.kernelRelease}: ${first.fault.describe}`,
            );
            io.out(
              `probe ${rate}/s each way, achieved interval ${first.failover.aToB.intervalMs.mean} ms; a 1 ms sleep takes ${first.resolution.sleep1msMs} ms here`,
            );
            printHuman(io, repeated.metrics);
          }
          return 0;
        },
        { log: io.err, handleSignals: true },
      ),
    );
  },
};
