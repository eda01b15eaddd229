import { readFileSync } from 'node:fs';
import { describeValue, InputError } from '../errors.js';
import { defaultThresholds } from './defaults.js';
import type { Thresholds } from './types.js';

/** Some of a metric's thresholds: what a rule in the file sets; the rest comes from before it. */
export type ThresholdOverride = Partial<Thresholds>;

/** One rule: a metric name or glob (`failover.*`, `*.detection`), optionally for some cases. */
export interface ThresholdRule {
  /** Case name or glob; undefined: every case. */
  case: string | undefined;
  metric: string;
  set: ThresholdOverride;
}

/**
 * What `--thresholds FILE` holds:
 *
 *     {
 *       "metrics": { "failover.*": { "relative": 0.1 }, "*.lost": { "absolute": 50 } },
 *       "cases": { "modes[mode=1]": { "throughput.mbit": { "relative": 0.02, "alpha": 0.01 } } }
 *     }
 *
 * Rules apply in order, each over the last: built-in defaults by unit, then `metrics` in file
 * order, then `cases` in file order. A rule sets any of relative, absolute, alpha.
 */
export type ThresholdRules = readonly ThresholdRule[];

const TOP_KEYS = ['metrics', 'cases'] as const;
const THRESHOLD_KEYS = ['relative', 'absolute', 'alpha'] as const;

/** Reads and checks a thresholds file. Every problem is an InputError naming the key. */
export function readThresholdsFile(path: string): ThresholdRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(
      '--thresholds',
      path,
      `expected a readable file (${(error as Error).message})`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError('--thresholds', path, `expected JSON (${(error as Error).message})`);
  }
  return parseThresholds(data, `--thresholds ${path}`);
}

/**
 * Checks a thresholds document (the file's parsed JSON). Errors name the key as a path after
 * `where`: `--thresholds t.json: metrics["failover.*"].relative`.
 */
export function parseThresholds(data: unknown, where = 'thresholds'): ThresholdRules {
  const at = (path: string): string => (path === '' ? where : `${where}: ${path}`);
  const top = record(at(''), data);
  known(at, '', top, TOP_KEYS);
  const rules: ThresholdRule[] = [];
  const metrics = top.metrics === undefined ? {} : record(at('metrics'), top.metrics);
  for (const [metric, value] of Object.entries(metrics)) {
    rules.push({ case: undefined, metric, set: override(at, `metrics${step(metric)}`, value) });
  }
  const cases = top.cases === undefined ? {} : record(at('cases'), top.cases);
  for (const [caseName, perCase] of Object.entries(cases)) {
    const path = `cases${step(caseName)}`;
    for (const [metric, value] of Object.entries(record(at(path), perCase))) {
      rules.push({ case: caseName, metric, set: override(at, `${path}${step(metric)}`, value) });
    }
  }
  return rules;
}

/** The thresholds of one metric of one case: the unit's defaults, then each rule that matches. */
export function thresholdsFor(
  rules: ThresholdRules,
  caseName: string,
  metric: string,
  unit: string,
): Thresholds {
  let t = defaultThresholds(unit);
  for (const rule of rules) {
    if (rule.case !== undefined && !globMatches(rule.case, caseName)) continue;
    if (!globMatches(rule.metric, metric)) continue;
    t = { ...t, ...rule.set };
  }
  return t;
}

/** `*` any run of characters, `?` one; everything else (brackets of case names too) literal. */
export function globMatches(glob: string, name: string): boolean {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`).test(name);
}

type At = (path: string) => string;

function override(at: At, path: string, value: unknown): ThresholdOverride {
  const o = record(at(path), value);
  known(at, path, o, THRESHOLD_KEYS);
  const set: ThresholdOverride = {};
  if (o.relative !== undefined) set.relative = nonNegative(at(`${path}.relative`), o.relative);
  if (o.absolute !== undefined) set.absolute = nonNegative(at(`${path}.absolute`), o.absolute);
  if (o.alpha !== undefined) {
    const alpha = o.alpha;
    if (typeof alpha !== 'number' || !(alpha > 0 && alpha < 1)) {
      throw new InputError(
        at(`${path}.alpha`),
        alpha,
        'expected a number between 0 and 1, e.g. 0.05',
      );
    }
    set.alpha = alpha;
  }
  return set;
}

function nonNegative(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InputError(
      field,
      value,
      "expected a number >= 0 (relative: a fraction, 0.2 for 20%; absolute: in the metric's unit)",
    );
  }
  return value;
}

function record(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(field, value, 'expected an object');
  }
  return value as Record<string, unknown>;
}

function known(
  at: At,
  path: string,
  value: Record<string, unknown>,
  keys: readonly string[],
): void {
  for (const k of Object.keys(value)) {
    if (!keys.includes(k)) {
      const where = path === '' ? k : `${path}${step(k)}`;
      throw new InputError(at(where), value[k], `unknown key; allowed: ${keys.join(', ')}`);
    }
  }
}

/** A key as a path step: `.relative` for plain words, `["failover.*"]` for the rest. */
function step(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `[${describeValue(k)}]`;
}
