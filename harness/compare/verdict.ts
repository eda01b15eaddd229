import { median } from 'simple-statistics';
import { medianDifferenceCi95 } from './bootstrap.js';
import { formatPercent, pText } from './format.js';
import { mannWhitney, smallestP } from './mann-whitney.js';
import type { Better, MetricComparison, Thresholds } from './types.js';

/** Fewer repetitions than this on a side: no test is attempted, whatever alpha allows. */
export const MIN_SAMPLES = 3;

/** One metric of one case, as both runs have it (undefined: not in that run, or no samples). */
export interface MetricPair {
  case: string;
  metric: string;
  unit: string;
  better: Better;
  baseline: readonly number[] | undefined;
  candidate: readonly number[] | undefined;
  thresholds: Thresholds;
}

/**
 * The verdict on one metric. A regression (improvement) needs all of: enough samples on both
 * sides for the test to be able to say anything at alpha; the Mann-Whitney test significant
 * (p < alpha); and the change of the median beyond both the absolute and the relative threshold,
 * in the bad (good) direction. Anything short of that is unchanged, or inconclusive when the test
 * could not have been significant: never a regression.
 */
export function judge(pair: MetricPair): MetricComparison {
  const { thresholds: t } = pair;
  const base = [...(pair.baseline ?? [])];
  const cand = [...(pair.candidate ?? [])];
  const baselineMedian = base.length > 0 ? median(base) : undefined;
  const candidateMedian = cand.length > 0 ? median(cand) : undefined;
  const change =
    baselineMedian !== undefined && candidateMedian !== undefined
      ? candidateMedian - baselineMedian
      : undefined;
  const relativeChange =
    change !== undefined && baselineMedian !== undefined && baselineMedian !== 0
      ? change / Math.abs(baselineMedian)
      : undefined;
  const result = {
    case: pair.case,
    metric: pair.metric,
    unit: pair.unit,
    better: pair.better,
    baseline: base,
    candidate: cand,
    baselineMedian,
    candidateMedian,
    change,
    relativeChange,
    changeCi95: undefined as [number, number] | undefined,
    pValue: undefined as number | undefined,
    thresholds: t,
  };
  if (base.length === 0 || cand.length === 0) {
    const only = base.length === 0 ? 'candidate' : 'baseline';
    return { ...result, verdict: 'missing', reason: `measured in the ${only} run only` };
  }
  result.changeCi95 = medianDifferenceCi95(base, cand);
  if (base.length < MIN_SAMPLES || cand.length < MIN_SAMPLES) {
    return {
      ...result,
      verdict: 'inconclusive',
      reason: `${base.length} and ${cand.length} repetitions: at least ${MIN_SAMPLES} a side are needed to test a change`,
    };
  }
  const floor = smallestP(base.length, cand.length);
  if (floor >= t.alpha) {
    return {
      ...result,
      verdict: 'inconclusive',
      reason: `${base.length} and ${cand.length} repetitions: the smallest possible p is ${pText(floor)}, not below alpha ${t.alpha}; repeat more`,
    };
  }
  const test = mannWhitney(cand, base);
  result.pValue = test.p;
  const tested = { ...result, pValue: test.p };
  if (test.p >= t.alpha) {
    return {
      ...tested,
      verdict: 'unchanged',
      reason: `not significant: ${pIs(test.p)} (${test.method} test), alpha ${t.alpha}`,
    };
  }
  const delta = change ?? 0;
  const beyondAbsolute = Math.abs(delta) > t.absolute;
  // From a median of 0 any change is infinitely relative: the absolute threshold decides alone.
  const beyondRelative = relativeChange === undefined || Math.abs(relativeChange) > t.relative;
  if (delta === 0 || !beyondAbsolute || !beyondRelative) {
    const which = !beyondAbsolute
      ? `|change| <= ${t.absolute} ${pair.unit}`
      : `|change| <= ${formatPercent(t.relative)}`;
    return {
      ...tested,
      verdict: 'unchanged',
      reason: `significant (${pIs(test.p)}) but within the thresholds: ${which}`,
    };
  }
  const worse = pair.better === 'lower' ? delta > 0 : delta < 0;
  return {
    ...tested,
    verdict: worse ? 'regression' : 'improvement',
    reason: `significant (${pIs(test.p)}, alpha ${t.alpha}), and the median moved ${worse ? 'the bad' : 'the good'} way by more than ${limits(t, pair.unit)}`,
  };
}

/** The thresholds a change exceeded, naming only those that are set. */
function limits(t: Thresholds, unit: string): string {
  const absolute = `${t.absolute} ${unit}`;
  if (t.relative === 0) return absolute;
  if (t.absolute === 0) return formatPercent(t.relative);
  return `${absolute} and ${formatPercent(t.relative)}`;
}

/** `p = 0.0123`, or `p < 0.0001`. */
function pIs(p: number): string {
  return p < 0.0001 ? 'p < 0.0001' : `p = ${pText(p)}`;
}
