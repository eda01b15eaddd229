/**
 * Concurrency figures: the runs of test/reliability/concurrency.test.ts (four on this kernel's veth
 * and bridges, two User-mode Linux guests), at once and one after another in each round, the order
 * alternating between rounds. Prints how many ran at once and how many collided (a failure, a run
 * id, namespace, guest group or run folder held twice, anything left behind), and the wall time
 * at once against one after another, measured in the same run.
 *
 * Run: npm run bench:concurrency -- [--rounds 3]
 */
import { release } from 'node:os';
import { umlRelease } from '../harness/kernels/uml/install.js';
import { ensureBuilt } from '../test/fixtures/host.js';
import {
  runWorkloads,
  summary,
  type ConcurrencyResult,
  type Workload,
} from '../test/reliability/concurrency.js';
import { HOST_WORKLOADS, UML_WORKLOADS } from '../test/reliability/concurrency/workloads.js';
import { intArg, median } from './lib/stats.js';

ensureBuilt();
const rounds = intArg('rounds', 3);

interface Batches {
  name: string;
  workloads: readonly Workload[];
  atOnce: ConcurrencyResult[];
  oneByOne: ConcurrencyResult[];
}

const batches: Batches[] = [
  { name: 'host veth and bridges', workloads: HOST_WORKLOADS, atOnce: [], oneByOne: [] },
  { name: 'User-mode Linux guests', workloads: UML_WORKLOADS, atOnce: [], oneByOne: [] },
];

for (let round = 1; round <= rounds; round++) {
  for (const b of batches) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    for (const sequential of round % 2 === 1 ? [false, true] : [true, false]) {
      const result = await runWorkloads(b.workloads, { sequential });
      (sequential ? b.oneByOne : b.atOnce).push(result);
      process.stderr.write(
        `round ${round}, ${b.name}, ${summary(result, sequential)}, wall ${s(result.wallMs)}\n`,
      );
    }
  }
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const count = (results: readonly ConcurrencyResult[], pick: (r: ConcurrencyResult) => number) =>
  results.reduce((n, r) => n + pick(r), 0);

console.log(
  `concurrent runs and collisions: ${rounds} round${rounds === 1 ? '' : 's'}, host ${release()}, uml ${umlRelease() ?? '?'}, 2 cores`,
);
let runs = 0;
let collisions = 0;
let broken = 0;
for (const b of batches) {
  const n = count(b.atOnce, (r) => r.runs.length);
  const failed = count(b.atOnce, (r) => r.failures.length);
  const collided = count(b.atOnce, (r) => r.collisions.length);
  const leaked = count(b.atOnce, (r) => r.leaks.length);
  const timing = count(b.atOnce, (r) => r.runs.filter((x) => x.timingMissed.length > 0).length);
  runs += n;
  collisions += collided;
  broken += failed + collided + leaked;
  const together = b.atOnce.map((r) => r.wallMs);
  const apart = b.oneByOne.map((r) => r.wallMs);
  const ratios = b.atOnce.map((r, i) => r.wallMs / (b.oneByOne[i]?.wallMs ?? NaN));
  console.log(
    `  ${b.name}, ${b.workloads.length} at once: ${n} concurrent runs, ${collided} collisions (${n - failed} succeeded, ${timing} of them on a timing bound missed; ${leaked} leaks)`,
  );
  console.log(
    `    wall: ${s(median(together))} at once against ${s(median(apart))} one after another (medians), ${median(ratios).toFixed(2)}x (per round ${ratios.map((x) => x.toFixed(2)).join(' ')})`,
  );
  const byName = new Map<string, number[]>();
  for (const r of b.atOnce.flatMap((x) => x.runs)) {
    const name = r.label.replace(/^#\d+ /, '');
    byName.set(name, [...(byName.get(name) ?? []), r.durationMs]);
  }
  const alone = new Map<string, number[]>();
  for (const r of b.oneByOne.flatMap((x) => x.runs)) {
    const name = r.label.replace(/^#\d+ /, '');
    alone.set(name, [...(alone.get(name) ?? []), r.durationMs]);
  }
  for (const [name, ms] of byName) {
    console.log(
      `    ${name}: ${s(median(ms))} at once, ${s(median(alone.get(name) ?? [NaN]))} alone (medians)`,
    );
  }
  for (const r of [...b.atOnce, ...b.oneByOne]) {
    const how = b.atOnce.includes(r) ? 'at once' : 'alone';
    for (const x of r.runs) {
      for (const m of x.timingMissed) console.log(`    timing bound missed ${how}: ${m}`);
    }
    for (const f of r.failures) console.log(`    failed: ${f}`);
    for (const c of r.collisions) console.log(`    collision: ${c.what} (${c.runs.join(', ')})`);
    for (const l of r.leaks) console.log(`    left: ${l}`);
  }
  const baseline = count(
    b.oneByOne,
    (r) => r.failures.length + r.collisions.length + r.leaks.length,
  );
  if (baseline > 0) console.log(`    one after another had ${baseline} problems (listed above)`);
}
console.log(`${runs} concurrent runs, ${collisions} collisions`);
process.exitCode = broken === 0 ? 0 : 1;
