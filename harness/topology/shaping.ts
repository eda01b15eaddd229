import { InputError } from '../errors.js';
import type { Shaping } from './spec.js';
import { expectInteger, expectKnownKeys, expectRecord } from './validate.js';

/** Checks one side's shaping of a link; `undefined` when that side is not shaped. */
export function parseShaping(field: string, value: unknown): Shaping | undefined {
  if (value === undefined) return undefined;
  const s = expectRecord(field, value);
  expectKnownKeys(field, s, ['kind', 'rateMbit', 'burstKb', 'latencyMs']);
  if (s.kind !== 'tbf') throw new InputError(`${field}.kind`, s.kind, 'expected "tbf"');
  const rate = s.rateMbit;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0.01 || rate > 100_000) {
    throw new InputError(`${field}.rateMbit`, rate, 'expected a rate from 0.01 to 100000 Mbit/s');
  }
  return {
    kind: 'tbf',
    rateMbit: rate,
    ...(s.burstKb === undefined
      ? {}
      : { burstKb: expectInteger(`${field}.burstKb`, s.burstKb, 2, 1_048_576, 'KiB') }),
    ...(s.latencyMs === undefined
      ? {}
      : { latencyMs: expectInteger(`${field}.latencyMs`, s.latencyMs, 1, 10_000, 'ms') }),
  };
}
