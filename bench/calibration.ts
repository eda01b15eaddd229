/**
 * Calibration benchmark: the probe's error distribution. Injects outages of 20, 50, 100 and
 * 200 ms (each `--repeat` times) on a plain path (two hosts on a bridge, no bond) and prints
 * |measured - injected| over every injection and both directions, against the target
 * max(2 ms, 2 probe intervals), whose interval is the one measured in the same run.
 *
 * Run: npm run bench:calibration -- [--repeat 10] [--rate 1000] [--kernel host|uml]
 */
import { quantile } from 'simple-statistics';
import { withRun } from '../harness/lifecycle/run-context.js';
import { calibrate } from '../harness/measure/calibrate.js';
import { benchInGuest, benchKernel } from './lib/in-guest.js';
import { intArg } from './lib/stats.js';

const repeat = intArg('repeat', 10);
const rate = intArg('rate', 1000);
const target = await benchKernel('host');
process.exitCode =
  target.kind === 'host' ? await benchHere() : await benchInGuest(target, import.meta.url);

async function benchHere(): Promise<number> {
  const r = await withRun((run) => calibrate(run, { repeat, probe: { rate } }));
  const errors = r.samples.flatMap((s) => [s.errorMs.aToB, s.errorMs.bToA]);
  const abs = errors.map((e) => (e === undefined ? Number.POSITIVE_INFINITY : Math.abs(e)));
  const within = abs.filter((e) => e <= r.toleranceMs).length;
  const f = (x: number): string => x.toFixed(2);
  console.log(
    `calibration benchmark: ${r.samples.length} injected outages × 2 directions, probe ${r.rate}/s, kernel ${r.kernelRelease}`,
  );
  console.log(
    `  timer: 1 ms sleep takes ${r.resolution.sleep1msMs} ms; achieved probe interval ${r.achievedIntervalMs} ms`,
  );
  for (const { requestedMs, error } of r.errors) {
    console.log(
      `  ${String(requestedMs).padStart(4)} ms: error median ${f(error.median)}, min ${f(error.min)}, max ${f(error.max)} ms`,
    );
  }
  console.log(
    `  |error| p50 ${f(quantile(abs, 0.5))}, p95 ${f(quantile(abs, 0.95))}, max ${f(Math.max(...abs))} ms`,
  );
  console.log(
    `  within target ${within}/${abs.length}; worst/target ${(Math.max(...abs) / r.toleranceMs).toFixed(2)}x (target max(2 ms, 2 intervals) = ${r.toleranceMs} ms, ratio <= 1.00x)`,
  );
  return 0;
}
