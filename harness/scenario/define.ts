import { InputError } from '../errors.js';
import type { ParamValue, Params, Scenario, ScenarioCase } from './types.js';

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * The typed helper a scenario file uses:
 *
 * ```ts
 * export default defineScenario({
 *   name: 'seed-failover',
 *   summary: 'active-backup, miimon 100: failover and failback',
 *   build: () => ({ topology: bondedPair({ mode: 'active-backup', miimon: 100 }), measure: [...] }),
 * });
 * ```
 */
export function defineScenario<
  const S extends Record<string, readonly ParamValue[]> = Record<string, never>,
>(definition: {
  name: string;
  summary: string;
  sweep?: S;
  build: (params: { [K in keyof S]: S[K][number] }) => ScenarioCase;
}): Scenario {
  if (!NAME.test(definition.name)) {
    throw new InputError(
      'scenario.name',
      definition.name,
      'expected lowercase letters, digits and dashes (at most 64)',
    );
  }
  if (definition.summary.trim() === '' || definition.summary.includes('\n')) {
    throw new InputError(
      `${definition.name}.summary`,
      definition.summary,
      'expected one non-empty line',
    );
  }
  const sweep = definition.sweep ?? ({} as S);
  for (const [key, values] of Object.entries(sweep)) {
    if (!/^[a-z][a-z0-9_]*$/.test(key) || values.length === 0) {
      throw new InputError(
        `${definition.name}.sweep.${key}`,
        values,
        'expected a lowercase name and at least one value',
      );
    }
  }
  return {
    name: definition.name,
    summary: definition.summary,
    sweep,
    build: definition.build as (params: Params) => ScenarioCase,
  };
}

/** Every combination of a sweep, in declaration order (the last parameter varies fastest). */
export function sweepCases(sweep: Scenario['sweep']): Params[] {
  let cases: Record<string, ParamValue>[] = [{}];
  for (const [key, values] of Object.entries(sweep)) {
    cases = cases.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return cases;
}

/** A case's name: the scenario's, with its parameters, e.g. `modes-failover[mode=1]`. */
export function caseName(scenario: string, params: Params): string {
  const entries = Object.entries(params);
  return entries.length === 0
    ? scenario
    : `${scenario}[${entries.map(([k, v]) => `${k}=${String(v)}`).join(',')}]`;
}
