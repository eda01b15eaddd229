/**
 * Topology benchmark: build and tear down the standard topology with the harness, against the same
 * topology written by hand as a shell script of `ip` commands (bench/topology.sh), alternating in
 * the same run. Prints medians and the ratio harness / script; the target is ≤ 1.0x.
 *
 * Where the kernel has bonding, both build the bonded topology; elsewhere both build it without
 * the bond. `--kernel uml` (any --kernel word) runs the whole benchmark
 * inside that kernel, where bonds exist and each exec costs ~100 ms.
 *
 * Run: npm run bench:topology -- [--runs 10] [--kernel uml]
 */
import { fileURLToPath } from 'node:url';
import { run, spawnCount } from '../harness/exec/run.js';
import { hostHasBonding } from '../harness/kernels/host.js';
import { withRun } from '../harness/lifecycle/run-context.js';
import { bondedPair, switchedPair } from '../harness/topology/examples.js';
import { Topology } from '../harness/topology/topology.js';
import { benchInGuest, benchKernel } from './lib/in-guest.js';
import { intArg, median } from './lib/stats.js';

const SCRIPT = fileURLToPath(new URL('./topology.sh', import.meta.url));
const runs = intArg('runs', 10);
const target = await benchKernel('host');
process.exitCode =
  target.kind === 'host' ? await benchHere() : await benchInGuest(target, import.meta.url);

async function benchHere(): Promise<number> {
  const bonding = await hostHasBonding();
  const spec = bonding ? bondedPair() : switchedPair();
  const harnessMs: number[] = [];
  const scriptMs: number[] = [];
  let harnessExecs = 0;

  await withRun(async (r) => {
    for (let i = 0; i < runs; i++) {
      const harness = async (): Promise<void> => {
        const before = spawnCount();
        const t0 = performance.now();
        const topo = await Topology.build(r, spec);
        await topo.destroy();
        harnessMs.push(performance.now() - t0);
        harnessExecs = spawnCount() - before;
      };
      const script = async (): Promise<void> => {
        // Namespaces named like the run's own, so teardown and `bondlab clean` cover them too.
        const prefix = r.netns(`s${i}`).replace(/-s\d+$/, '');
        const names = ['client', 'server', 'sw'].map((n) => `${prefix}-${n}`);
        const drop = r.deferNetns(names);
        const t0 = performance.now();
        await run(['sh', SCRIPT, prefix, 'up', ...(bonding ? ['bond'] : [])], {
          timeoutMs: 60_000,
        });
        await run(['sh', SCRIPT, prefix, 'down'], { timeoutMs: 60_000 });
        scriptMs.push(performance.now() - t0);
        drop();
      };
      // Alternate which goes first, so neither always runs on a warmer machine.
      if (i % 2 === 0) {
        await harness();
        await script();
      } else {
        await script();
        await harness();
      }
    }
  });

  const h = median(harnessMs);
  const s = median(scriptMs);
  const what = bonding ? 'bonded' : 'unbonded (no bonding in this kernel)';
  console.log(
    `topology benchmark: ${runs} runs each, ${what} standard topology, build + ready (ping) + teardown`,
  );
  console.log(
    `  harness  median ${h.toFixed(0)} ms (${harnessExecs} processes per build and teardown)`,
  );
  console.log(`  script   median ${s.toFixed(0)} ms (one ip process per step)`);
  console.log(`  ratio harness/script ${(h / s).toFixed(2)}x (target <= 1.00x)`);
  return 0;
}
