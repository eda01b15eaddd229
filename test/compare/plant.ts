/**
 * The realistic runs (test/fixtures/runs/, made by make.sh there) and changes planted in them:
 * a copy of a run with some metrics' samples rewritten, the way a slower kernel would have
 * measured them, every other number left as the run measured it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tmp from 'tmp';
import { globMatches } from '../../harness/compare/thresholds-file.js';
import { readRunFile } from '../../harness/results/load.js';
import type { RunFile } from '../../harness/results/run-file.js';
import { ROOT, type Teardowns } from '../fixtures/host.js';

export const RUN_A = join(ROOT, 'test', 'fixtures', 'runs', 'a');
export const RUN_B = join(ROOT, 'test', 'fixtures', 'runs', 'b');

export function runA(): RunFile {
  return readRunFile(RUN_A);
}

export function runB(): RunFile {
  return readRunFile(RUN_B);
}

/** A copy of `run` whose metrics matching `glob` have each sample passed through `f`. */
export function plant(run: RunFile, glob: string, f: (x: number) => number): RunFile {
  const copy = structuredClone(run);
  for (const c of copy.cases) {
    for (const m of c.metrics) {
      if (globMatches(glob, m.name)) m.samples = m.samples.map(f);
    }
  }
  return copy;
}

/**
 * A run drawn from the null hypothesis: `run` with each metric's samples drawn anew, with
 * replacement, from `pool`'s samples of that case and metric (e.g. both fixture runs' together).
 * Two such runs differ by chance alone.
 */
export function redrawn(run: RunFile, pool: RunFile[], random: () => number): RunFile {
  const copy = structuredClone(run);
  for (const c of copy.cases) {
    for (const m of c.metrics) {
      const values = pool.flatMap(
        (r) =>
          r.cases.find((x) => x.case === c.case)?.metrics.find((x) => x.name === m.name)?.samples ??
          [],
      );
      if (values.length === 0) continue;
      m.samples = m.samples.map(() => values[Math.floor(random() * values.length)] ?? NaN);
    }
  }
  return copy;
}

/** A copy of `run` with only its first `n` repetitions' samples. */
export function firstRepetitions(run: RunFile, n: number): RunFile {
  const copy = structuredClone(run);
  for (const c of copy.cases) {
    for (const m of c.metrics) m.samples = m.samples.slice(0, n);
    c.repetitions = c.repetitions.slice(0, n);
  }
  copy.repeat = n;
  return copy;
}

/** The metric names of `run` matching `glob` that have samples, as `case metric`. */
export function metricsMatching(run: RunFile, glob: string): string[] {
  return run.cases.flatMap((c) =>
    c.metrics
      .filter((m) => m.samples.length > 0 && globMatches(glob, m.name))
      .map((m) => `${c.case} ${m.name}`),
  );
}

/** Writes `run` as `<temp dir>/run.json`, removed when the test ends; returns the folder. */
export function writeRun(t: Teardowns, run: RunFile): string {
  const dir = tmp.dirSync({ prefix: 'bondlab-compare-', unsafeCleanup: true });
  t.teardown(() => {
    dir.removeCallback();
  });
  writeFileSync(join(dir.name, 'run.json'), `${JSON.stringify(run)}\n`);
  return dir.name;
}
