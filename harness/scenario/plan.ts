import { InputError } from '../errors.js';
import { BOND_MODES } from '../topology/bond-options.js';
import { resolveTopology } from '../topology/resolve.js';
import { expectKnownKeys, expectRecord } from '../topology/validate.js';
import { checkExpectations, checkMeasurements } from './check-case.js';
import { caseName, sweepCases } from './define.js';
import { measurementId } from './measurements.js';
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
      const spec = buildCase(name, scenario, params);
      let resolved;
      try {
        resolved = resolveTopology(spec.topology);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        throw new InputError(`${name}: ${error.field}`, error.value, error.allowed);
      }
      const measure = checkMeasurements(name, spec.measure, resolved);
      const ids = measure.map(measurementId);
      const dup = ids.find((id, i) => ids.indexOf(id) !== i);
      if (dup !== undefined) {
        throw new InputError(
          `${name}.measure`,
          dup,
          'expected each measurement id once (set `id`)',
        );
      }
      checkExpectations(name, spec.expect, measure);
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

/**
 * Calls a scenario's `build`: a throw or a result that is not a case is the scenario's input
 * error, named by its case, not a crash of the harness.
 */
function buildCase(name: string, scenario: Scenario, params: Params): ScenarioCase {
  let built: unknown;
  try {
    built = scenario.build(params);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `${name}.build`,
      params,
      `expected build to return a case; it threw ${String(error).split('\n')[0] ?? ''}`,
      { cause: error },
    );
  }
  const spec = expectRecord(`${name}.build()`, built);
  expectKnownKeys(`${name}.build()`, spec, ['topology', 'measure', 'expect']);
  return spec as unknown as ScenarioCase;
}
