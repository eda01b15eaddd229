import { InputError } from '../errors.js';
import { BOND_MODES } from '../topology/bond-options.js';
import { resolveTopology } from '../topology/resolve.js';
import { caseName, sweepCases } from './define.js';
import { measurementId, metricsOf } from './measurements.js';
import type { Params, Scenario, ScenarioCase } from './types.js';

/** A case ready to run: its scenario, parameters, name and definition, already checked. */
export interface PlannedCase {
  scenario: string;
  name: string;
  params: Params;
  spec: ScenarioCase;
  /** The bond modes it uses, as numbers (for --mode). */
  modes: number[];
}

/**
 * Expands scenarios into cases and checks each one completely (topology, bond options, measurement
 * ids, expectation metrics) before anything runs: a bad scenario fails here, creating nothing.
 */
export function planCases(scenarios: readonly Scenario[]): PlannedCase[] {
  const planned: PlannedCase[] = [];
  for (const scenario of scenarios) {
    for (const params of sweepCases(scenario.sweep)) {
      const name = caseName(scenario.name, params);
      const spec = scenario.build(params);
      let resolved;
      try {
        resolved = resolveTopology(spec.topology);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        throw new InputError(`${name}: ${error.field}`, error.value, error.allowed);
      }
      if (spec.measure.length === 0) {
        throw new InputError(`${name}.measure`, [], 'expected at least one measurement');
      }
      const ids = spec.measure.map(measurementId);
      const dup = ids.find((id, i) => ids.indexOf(id) !== i);
      if (dup !== undefined) {
        throw new InputError(
          `${name}.measure`,
          dup,
          'expected each measurement id once (set `id`)',
        );
      }
      const known = spec.measure.flatMap((m) =>
        metricsOf(m.kind).map((metric) => `${measurementId(m)}.${metric.name}`),
      );
      for (const [i, e] of (spec.expect ?? []).entries()) {
        if (!known.includes(e.metric)) {
          throw new InputError(
            `${name}.expect[${i}].metric`,
            e.metric,
            `expected one of ${known.join(', ')}`,
          );
        }
      }
      planned.push({
        scenario: scenario.name,
        name,
        params,
        spec,
        modes: resolved.bonds.map((b) => BOND_MODES.indexOf(b.options.mode)),
      });
    }
  }
  return planned;
}
