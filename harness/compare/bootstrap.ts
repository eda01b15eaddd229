import { median, quantile, sampleWithReplacement } from 'simple-statistics';
import { seeded } from '../measure/stats.js';

const RESAMPLES = 2000;

/**
 * 95% percentile-bootstrap interval of median(candidate) − median(baseline): each side resampled
 * with replacement, 2000 times. Seeded from the sample sizes, so the same runs always give the same
 * interval (a report regenerated tomorrow must say what it said today).
 */
export function medianDifferenceCi95(
  baseline: readonly number[],
  candidate: readonly number[],
): [number, number] {
  if (baseline.length === 0 || candidate.length === 0) {
    throw new RangeError('medianDifferenceCi95: a sample is empty');
  }
  const random = seeded(baseline.length * 7919 + candidate.length * 104729);
  const base = [...baseline];
  const cand = [...candidate];
  const differences: number[] = [];
  for (let i = 0; i < RESAMPLES; i++) {
    const b = median(sampleWithReplacement(base, base.length, random));
    const c = median(sampleWithReplacement(cand, cand.length, random));
    differences.push(c - b);
  }
  return [quantile(differences, 0.025), quantile(differences, 0.975)];
}
