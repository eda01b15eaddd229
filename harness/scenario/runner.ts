import { formatError } from '../errors.js';
import type { RunContext } from '../lifecycle/run-context.js';
import { summarizeMetrics } from '../measure/repeat.js';
import { Topology } from '../topology/topology.js';
import { measurementId, metricsOf, runMeasurement } from './measurements.js';
import type { PlannedCase } from './plan.js';
import type { CaseResult, ExpectationResult, MeasurementResult, MetricResult } from './result.js';
import type { Expectation } from './types.js';

export type Progress =
  | { type: 'case-start'; index: number; total: number; name: string }
  | { type: 'phase'; name: string; phase: string }
  | { type: 'case-end'; index: number; total: number; result: CaseResult };

export interface RunCasesOptions {
  /** Repetitions of each case, each on a freshly built topology. */
  repeat: number;
  onProgress?: (p: Progress) => void;
}

/** Checks a bound against every repetition: the worst sample decides. */
export function checkExpectation(e: Expectation, samples: readonly number[]): ExpectationResult {
  if (samples.length === 0) return { ...e, measured: undefined, pass: false };
  const measured =
    e.op === '<='
      ? Math.max(...samples)
      : e.op === '>='
        ? Math.min(...samples)
        : (samples.find((s) => s !== e.value) ?? e.value);
  const pass =
    e.op === '<='
      ? measured <= e.value
      : e.op === '>='
        ? measured >= e.value
        : measured === e.value;
  return { ...e, measured, pass };
}

function metricsOfCase(planned: PlannedCase, repetitions: MeasurementResult[][]): MetricResult[] {
  return planned.spec.measure.flatMap((m) => {
    const id = measurementId(m);
    const results = repetitions.flatMap((rep) =>
      rep.filter((r) => r.id === id).map((r) => r.result),
    );
    return summarizeMetrics(results as never[], metricsOf(m.kind)).map((metric) => ({
      ...metric,
      name: `${id}.${metric.name}`,
    }));
  });
}

/** Runs one case `repeat` times; never raises for the case's own failure (it is in the result). */
async function runCase(
  run: RunContext,
  planned: PlannedCase,
  options: RunCasesOptions,
): Promise<CaseResult> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const repetitions: MeasurementResult[][] = [];
  let bonds: CaseResult['bonds'] = [];
  let error: unknown;
  const phase = (p: string): void => {
    run.log(`${planned.name}: ${p}`);
    options.onProgress?.({ type: 'phase', name: planned.name, phase: p });
  };
  try {
    for (let rep = 1; rep <= options.repeat; rep++) {
      const of = options.repeat > 1 ? ` (${rep}/${options.repeat})` : '';
      phase(`build${of}`);
      const topology = await Topology.build(run, planned.spec.topology);
      if (rep === 1) {
        bonds = topology.bondsBuilt.map((b) => ({
          host: b.host,
          name: b.name,
          options: b.options,
        }));
      }
      const results: MeasurementResult[] = [];
      try {
        for (const m of planned.spec.measure) {
          phase(`${measurementId(m)}${of}`);
          results.push(await runMeasurement(run, topology, m));
        }
      } catch (e) {
        // Gone now, not at the run's end: the next case builds namespaces of the same names.
        phase(`teardown${of}`);
        await topology.destroy().catch(() => undefined);
        throw e;
      }
      repetitions.push(results);
      phase(`teardown${of}`);
      await topology.destroy();
    }
  } catch (e) {
    error = e;
  }
  const metrics = metricsOfCase(planned, repetitions);
  const expectations = (planned.spec.expect ?? []).map((e) =>
    checkExpectation(e, metrics.find((m) => m.name === e.metric)?.samples ?? []),
  );
  const status = run.signal.aborted
    ? 'interrupted'
    : error !== undefined
      ? 'error'
      : expectations.every((e) => e.pass)
        ? 'passed'
        : 'failed';
  return {
    scenario: planned.scenario,
    case: planned.name,
    params: planned.params,
    status,
    error:
      error === undefined ? undefined : formatError(run.signal.aborted ? run.signal.reason : error),
    startedAt,
    durationMs: Math.round(performance.now() - started),
    bonds,
    metrics,
    expectations,
    repetitions,
  };
}

/** Runs cases one after another; stops after the case during which the run was interrupted. */
export async function runCases(
  run: RunContext,
  cases: readonly PlannedCase[],
  options: RunCasesOptions,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const [i, planned] of cases.entries()) {
    options.onProgress?.({ type: 'case-start', index: i, total: cases.length, name: planned.name });
    const result = await runCase(run, planned, options);
    results.push(result);
    options.onProgress?.({ type: 'case-end', index: i, total: cases.length, result });
    if (result.status === 'interrupted') break;
  }
  return results;
}
