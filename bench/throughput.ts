/**
 * Bond throughput benchmark: iperf3 TCP from the client to the server across an active-backup
 * bond (mode 1, miimon 100), against the same path without the bond (the client's eth0 straight
 * into the same bridge), in the same kernel and run, alternating. The target: bond/plain ≥ 0.9x.
 *
 * Needs bonding: `--kernel auto` (the default) boots User-mode Linux where the host has none.
 * Run: npm run bench:throughput -- [--runs 5] [--seconds 5] [--kernel auto|host|uml|qemu:...]
 */
import { release } from 'node:os';
import { withRun } from '../harness/lifecycle/run-context.js';
import { measureThroughput } from '../harness/measure/throughput.js';
import { bondedPair, switchedPair } from '../harness/topology/examples.js';
import { Topology } from '../harness/topology/topology.js';
import { benchInGuest, benchKernel } from './lib/in-guest.js';
import { intArg, median } from './lib/stats.js';

const runs = intArg('runs', 5);
const seconds = intArg('seconds', 5);
const target = await benchKernel('auto');
process.exitCode =
  target.kind === 'host' ? await benchHere() : await benchInGuest(target, import.meta.url);

async function benchHere(): Promise<number> {
  const plain: number[] = [];
  const bonded: number[] = [];
  await withRun(async (run) => {
    const once = async (bond: boolean): Promise<void> => {
      const topo = await Topology.build(run, bond ? bondedPair() : switchedPair());
      const r = await measureThroughput(run, topo, {
        from: 'client',
        to: 'server',
        ...(bond ? {} : { fromInterface: 'eth0' }),
        durationS: seconds,
        omitS: 1,
      });
      (bond ? bonded : plain).push(r.aggregate.totals.received.bitsPerSecond / 1e9);
      await topo.destroy();
    };
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first, so neither always runs on a warmer machine.
      await once(i % 2 === 0);
      await once(i % 2 !== 0);
    }
  });
  const p = median(plain);
  const b = median(bonded);
  const f = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(' ');
  console.log(
    `throughput benchmark: ${runs} runs each, TCP 1 flow, ${seconds} s (+1 s warm-up), kernel ${release()}`,
  );
  console.log(`  plain veth via bridge   median ${p.toFixed(2)} Gbit/s  (${f(plain)})`);
  console.log(`  active-backup bond      median ${b.toFixed(2)} Gbit/s  (${f(bonded)})`);
  console.log(`  ratio bond/plain ${(b / p).toFixed(2)}x (target >= 0.90x)`);
  return 0;
}
