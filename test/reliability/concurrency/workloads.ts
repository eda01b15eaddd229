/**
 * The runs the concurrency test and benchmark start at once. On this kernel (veth and bridges, no
 * bonding): calibrations (two hosts on a bridge, probes both ways, switch-port outages), and
 * `bondlab up` of a bridged topology and of a plain veth pair. In User-mode Linux: the seed
 * failover scenario, each run a guest of its own, both writing to one results folder.
 *
 * Both `calibrate` and `run` exit 1 on a timing bound missed (the calibration's error target, a
 * scenario's detection time); each workload says when such bounds alone explain an exit 1.
 */
import type { CalibrationResult } from '../../../harness/measure/calibrate.js';
import { readRunFile } from '../../../harness/results/load.js';
import type { RunFile } from '../../../harness/results/run-file.js';
import type { RunOutcome, Workload } from '../concurrency.js';

/** calibrate --json: the error target missed, when the calibration itself completed. */
function calibrationMisses(run: RunOutcome): string[] | undefined {
  let result: CalibrationResult;
  try {
    result = JSON.parse(run.stdout) as CalibrationResult;
  } catch {
    return undefined;
  }
  if (result.withinTolerance || result.samples.length === 0) return undefined;
  return [
    `calibration error target: worst ${result.worstAbsErrorMs} ms (target ≤ ${result.toleranceMs} ms)`,
  ];
}

/**
 * bondlab run: the expectations on ms metrics its cases missed, when the run completed, every
 * planned case ran, and nothing else failed (as test/scenario/catalog-run.test.ts judges).
 */
function scenarioMisses(run: RunOutcome): string[] | undefined {
  const [folder, ...more] = run.resultsFolders;
  if (folder === undefined || more.length > 0) return undefined;
  let file: RunFile;
  try {
    file = readRunFile(folder);
  } catch {
    return undefined;
  }
  if (file.status !== 'complete' || file.cases.length !== file.planned.length) return undefined;
  const missed: string[] = [];
  for (const c of file.cases) {
    if (c.status === 'passed') continue;
    if (c.status !== 'failed') return undefined;
    for (const e of c.expectations.filter((x) => !x.pass)) {
      const unit = c.metrics.find((m) => m.name === e.metric)?.unit;
      if (e.measured === undefined || unit !== 'ms') return undefined;
      missed.push(`${c.case}: ${e.says}: ${e.metric} ${e.measured} ms (bound ${e.op} ${e.value})`);
    }
  }
  return missed.length > 0 ? missed : undefined;
}

const calibration: Workload = {
  name: 'calibrate (bridge)',
  argv: () => ['calibrate', '--kernel', 'host', '--outages', '50,100', '--repeat', '2', '--json'],
  timingMisses: calibrationMisses,
};

export const HOST_WORKLOADS: readonly Workload[] = [
  calibration,
  {
    name: 'up switched (bridge)',
    argv: () => ['up', 'switched', '--kernel', 'host', '--hold', '3', '--json'],
  },
  {
    name: 'up direct (veth)',
    argv: () => ['up', 'direct', '--kernel', 'host', '--hold', '3', '--json'],
  },
  calibration,
];

const umlFailover: Workload = {
  name: 'run seed-failover (uml)',
  argv: ({ out }) => ['run', 'seed-failover', '--kernel', 'uml', '--out', out],
  timingMisses: scenarioMisses,
};

export const UML_WORKLOADS: readonly Workload[] = [umlFailover, umlFailover];
