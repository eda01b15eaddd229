/**
 * Aggregation benchmark: veth throughput is CPU-bound, so a bond's aggregation only shows when
 * each slave is slower than the CPU. Each of the client's two links is shaped to `--mbit` (tbf, on
 * the client's side); the expectation is about R for active-backup (one slave carries everything)
 * and about 2R for balance-rr (packets alternate). The baseline, in the same run, is one shaped
 * link without a bond. Prints each against R.
 *
 * Needs bonding: `--kernel auto` (the default) boots User-mode Linux where the host has none.
 * Run: npm run bench:aggregation -- [--mbit 100] [--seconds 5] [--flows 4] [--kernel K]
 */
import { release } from 'node:os';
import { withRun } from '../harness/lifecycle/run-context.js';
import { measureThroughput } from '../harness/measure/throughput.js';
import type { BondOptionsInput } from '../harness/topology/bond-options.js';
import { bondedPair, switchedPair } from '../harness/topology/examples.js';
import type { TopologySpec } from '../harness/topology/spec.js';
import { Topology } from '../harness/topology/topology.js';
import { benchInGuest, benchKernel } from './lib/in-guest.js';
import { intArg } from './lib/stats.js';

const mbit = intArg('mbit', 100);
const seconds = intArg('seconds', 5);
const flows = intArg('flows', 4);
const target = await benchKernel('auto');
process.exitCode =
  target.kind === 'host' ? await benchHere() : await benchInGuest(target, import.meta.url);

/** The client's two links shaped to `mbit` on the client's side. */
function shaped(spec: TopologySpec): TopologySpec {
  return {
    ...spec,
    links: spec.links.map((l) =>
      l.a.startsWith('client:') ? { ...l, shape: { a: { kind: 'tbf', rateMbit: mbit } } } : l,
    ),
  };
}

async function benchHere(): Promise<number> {
  const cases: { name: string; spec: TopologySpec; fromInterface?: string; expect: number }[] = [
    {
      name: 'one shaped link, no bond',
      spec: shaped(switchedPair()),
      fromInterface: 'eth0',
      expect: 1,
    },
    ...(
      [
        ['active-backup', { mode: 'active-backup', miimon: 100 }, 1],
        ['balance-rr', { mode: 'balance-rr', miimon: 100 }, 2],
        [
          'balance-xor layer3+4',
          { mode: 'balance-xor', miimon: 100, xmit_hash_policy: 'layer3+4' },
          2,
        ],
      ] as [string, BondOptionsInput, number][]
    ).map(([name, options, expect]) => ({ name, spec: shaped(bondedPair(options)), expect })),
  ];
  const lines: string[] = [];
  await withRun(async (run) => {
    for (const c of cases) {
      const topo = await Topology.build(run, c.spec);
      const r = await measureThroughput(run, topo, {
        from: 'client',
        to: 'server',
        ...(c.fromInterface === undefined ? {} : { fromInterface: c.fromInterface }),
        flows,
        durationS: seconds,
        omitS: 1,
        counters: ['eth0', 'eth1'],
      });
      await topo.destroy();
      const got = r.aggregate.totals.received.bitsPerSecond / 1e6;
      const spread = Object.entries(r.counters?.delta.interfaces ?? {})
        .map(([ifname, d]) => `${ifname} ${(100 * d.txShare).toFixed(0)}%`)
        .join(', ');
      lines.push(
        `  ${c.name.padEnd(26)} ${got.toFixed(1).padStart(7)} Mbit/s = ${(got / mbit).toFixed(2)}R (expected about ${c.expect}R); bytes sent: ${spread}`,
      );
    }
  });
  console.log(
    `aggregation benchmark: client links shaped to R = ${mbit} Mbit/s each (tbf), ${flows} TCP flows, ${seconds} s, kernel ${release()}`,
  );
  for (const l of lines) console.log(l);
  return 0;
}
