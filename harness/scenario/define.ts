import { InputError } from '../errors.js';
import { expectKnownKeys, expectRecord } from '../topology/validate.js';
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
  // A scenario file is code, but compiled JavaScript has no types: each field is checked anyway.
  const d = expectRecord('scenario', definition);
  expectKnownKeys('scenario', d, ['name', 'summary', 'sweep', 'build']);
  if (typeof d.name !== 'string' || !NAME.test(d.name)) {
    throw new InputError(
      'scenario.name',
      d.name,
      'expected lowercase letters, digits and dashes (at most 64)',
    );
  }
  if (typeof d.summary !== 'string' || d.summary.trim() === '' || /[\p{Cc}]/u.test(d.summary)) {
    throw new InputError(
      `${d.name}.summary`,
      d.summary,
      'expected one non-empty line of text (no control characters)',
    );
  }
  if (typeof d.build !== 'function') {
    throw new InputError(
      `${d.name}.build`,
      d.build,
      'expected a function from parameters to a case',
    );
  }
  const sweep = d.sweep === undefined ? {} : expectRecord(`${d.name}.sweep`, d.sweep);
  for (const [key, values] of Object.entries(sweep)) {
    const f = `${d.name}.sweep.${key}`;
    if (!/^[a-z][a-z0-9_]{0,31}$/.test(key) || !Array.isArray(values) || values.length === 0) {
      throw new InputError(f, values, 'expected a lowercase name and a list of at least one value');
    }
    if (values.length > MAX_SWEEP_VALUES) {
      throw new InputError(f, `${values.length} values`, `expected at most ${MAX_SWEEP_VALUES}`);
    }
    values.forEach((v: unknown, i) => {
      checkParamValue(`${f}[${i}]`, v);
    });
  }
  return {
    name: d.name,
    summary: d.summary,
    sweep: sweep as Scenario['sweep'],
    build: d.build as (params: Params) => ScenarioCase,
  };
}

/** Values per swept parameter; every combination is a case, so the product grows fast. */
const MAX_SWEEP_VALUES = 64;

/**
 * A swept value names its case (`modes[mode=1]`) in every report, TAP and JUnit included: a
 * finite number, a boolean, or a short line of printable text.
 */
function checkParamValue(field: string, v: unknown): void {
  const ok =
    typeof v === 'boolean' ||
    (typeof v === 'number' && Number.isFinite(v)) ||
    (typeof v === 'string' && v.length > 0 && v.length <= 64 && !/[\p{Cc},=[\]]/u.test(v));
  if (!ok) {
    throw new InputError(
      field,
      v,
      'expected a finite number, true or false, or 1 to 64 characters of text without control characters, commas, "=" or brackets',
    );
  }
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
