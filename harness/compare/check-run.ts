import { InputError } from '../errors.js';
import type { RunFile } from '../results/run-file.js';

/**
 * Checks the parts of a run.json that compare reads (its environment, its cases' metrics and
 * samples), so that a file that is JSON with the right version but not a run fails here, naming
 * the field, and not deep in the statistics. `file` prefixes every field named.
 */
export function checkRunForCompare(run: RunFile, file: string): RunFile {
  const data = run as unknown;
  const at = (path: string): string => `${file}: ${path}`;
  const top = object(at('(top)'), data);
  string(at('label'), top.label);
  string(at('startedAt'), top.startedAt);
  string(at('status'), top.status);
  number(at('repeat'), top.repeat);
  const env = object(at('environment'), top.environment);
  const kernel = object(at('environment.kernel'), env.kernel);
  for (const k of ['kind', 'label', 'release']) string(at(`environment.kernel.${k}`), kernel[k]);
  const cpu = object(at('environment.cpu'), env.cpu);
  string(at('environment.cpu.model'), cpu.model);
  number(at('environment.cpu.count'), cpu.count);
  const versions = object(at('environment.versions'), env.versions);
  string(at('environment.versions.bondlab'), versions.bondlab);
  string(at('environment.versions.node'), versions.node);
  string(at('environment.hostname'), env.hostname);
  const cases = array(at('cases'), top.cases);
  cases.forEach((c, i) => {
    const kase = object(at(`cases[${i}]`), c);
    string(at(`cases[${i}].case`), kase.case);
    array(at(`cases[${i}].metrics`), kase.metrics).forEach((m, j) => {
      const path = `cases[${i}].metrics[${j}]`;
      const metric = object(at(path), m);
      string(at(`${path}.name`), metric.name);
      string(at(`${path}.unit`), metric.unit);
      if (metric.better !== 'lower' && metric.better !== 'higher') {
        throw new InputError(at(`${path}.better`), metric.better, 'expected "lower" or "higher"');
      }
      array(at(`${path}.samples`), metric.samples).forEach((x, k) => {
        number(at(`${path}.samples[${k}]`), x);
      });
    });
  });
  return run;
}

function object(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(field, value, 'expected an object (is this a bondlab run.json?)');
  }
  return value as Record<string, unknown>;
}

function array(field: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new InputError(field, value, 'expected an array');
  return value;
}

function string(field: string, value: unknown): void {
  if (typeof value !== 'string') throw new InputError(field, value, 'expected a string');
}

function number(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InputError(field, value, 'expected a finite number');
  }
}
