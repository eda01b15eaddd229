/**
 * Topology benchmark: build and tear down the standard topology with the harness, against the same
 * topology written by hand as a shell script of `ip` commands (bench/topology.sh), alternating in
 * the same run. Prints medians and the ratio harness / script; the target is ≤ 1.0x.
 *
 * Where the kernel has bonding, the harness builds the bonded topology (the script cannot do
 * better than the unbonded one, so the comparison is conservative); here it builds the same
 * unbonded topology as the script. Run: npm run bench:topology [-- --runs 10]
 */
import { fileURLToPath } from 'node:url';
import { run, spawnCount } from '../harness/exec/run.js';
import { hostHasBonding } from '../harness/kernels/host.js';
import { withRun } from '../harness/lifecycle/run-context.js';
import { bondedPair, switchedPair } from '../harness/topology/examples.js';
import { Topology } from '../harness/topology/topology.js';
import { intArg, median } from './lib/stats.js';

const SCRIPT = fileURLToPath(new URL('./topology.sh', import.meta.url));

const runs = intArg('runs', 10);
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
      const prefix = r.netns(`s${i}`).replace(/-s\d+$/, '');
      const names = ['client', 'server', 'sw'].map((n) => `${prefix}-${n}`);
      const drop = r.deferNetns(names);
      const t0 = performance.now();
      await run(['sh', SCRIPT, prefix, 'up'], { timeoutMs: 60_000 });
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
console.log(`topology benchmark: ${runs} runs each, ${bonding ? 'bonded' : 'unbonded (no bonding in this kernel)'} standard topology, build + ready (ping) + teardown`);
console.log(`  harness  median ${h.toFixed(0)} ms (${harnessExecs} processes per build and teardown)`);
console.log(`  script   median ${s.toFixed(0)} ms (one ip process per step)`);
console.log(`  ratio harness/script ${(h / s).toFixed(2)}x (target <= 1.00x)`);
