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

/** A metric tested, its verdict not yet given: `pValue` set when it could be tested. */
export type TestedMetric = Omit<MetricComparison, 'verdict' | 'reason' | 'pAdjusted'> &
  Partial<Pick<MetricComparison, 'verdict' | 'reason'>>;

/**
 * Tests one metric: medians, change, bootstrap interval and the Mann-Whitney p. The verdict is
 * settled here when no test could say anything (missing, inconclusive, every sample one value);
 * otherwise `decide` gives it once every metric's p is known and adjusted.
 */
export function testMetric(pair: MetricPair): TestedMetric {
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
  const result: TestedMetric = {
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
    changeCi95: undefined,
    pValue: undefined,
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
  const first = base[0];
  if ([...base, ...cand].every((x) => x === first)) {
    // Nothing to test, and nothing a test of it could find: kept out of the adjustment.
    return { ...result, pValue: 1, verdict: 'unchanged', reason: 'every sample the same value' };
  }
  return { ...result, pValue: mannWhitney(cand, base).p };
}

/**
 * The verdict of a tested metric, given its p adjusted for every metric the comparison tested
 * (`pAdjusted`; for a metric alone, its p). A regression (improvement) needs all of: the adjusted
 * p below alpha; and the change of the median beyond both the absolute and the relative threshold,
 * in the bad (good) direction. Anything short of that is unchanged: never a regression.
 */
export function decide(m: TestedMetric, pAdjusted: number | undefined): MetricComparison {
  if (m.verdict !== undefined && m.reason !== undefined) {
    return { ...m, verdict: m.verdict, reason: m.reason };
  }
  const t = m.thresholds;
  const p = m.pValue ?? 1;
  const q = pAdjusted ?? p;
  const tested = { ...m, pAdjusted: q };
  const stated = q === p ? pIs(p) : `${pIs(p)}, ${pIs(q).replace(/^p/, 'q')}`;
  if (q >= t.alpha) {
    return {
      ...tested,
      verdict: 'unchanged',
      reason: `not significant: ${stated}, alpha ${t.alpha}`,
    };
  }
  const delta = m.change ?? 0;
  if (!beyondThresholds(m)) {
    const which =
      Math.abs(delta) <= t.absolute
        ? `|change| <= ${t.absolute} ${m.unit}`
        : `|change| <= ${formatPercent(t.relative)}`;
    return {
      ...tested,
      verdict: 'unchanged',
      reason: `significant (${stated}) but within the thresholds: ${which}`,
    };
  }
  const worse = m.better === 'lower' ? delta > 0 : delta < 0;
  return {
    ...tested,
    verdict: worse ? 'regression' : 'improvement',
    reason: `significant (${stated}, alpha ${t.alpha}), and the median moved ${worse ? 'the bad' : 'the good'} way by more than ${limits(t, m.unit)}`,
  };
}

/** Whether the change of the median exceeds both thresholds (significant or not). */
export function beyondThresholds(
  m: Pick<MetricComparison, 'change' | 'relativeChange' | 'thresholds'>,
): boolean {
  if (m.change === undefined) return false;
  // From a median of 0 any change is infinitely relative: the absolute threshold decides alone.
  const beyondRelative =
    m.relativeChange === undefined || Math.abs(m.relativeChange) > m.thresholds.relative;
  return Math.abs(m.change) > m.thresholds.absolute && beyondRelative;
}

/** The verdict on one metric alone (no other metric to adjust for). */
export function judge(pair: MetricPair): MetricComparison {
  const m = testMetric(pair);
  return decide(m, m.pValue);
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
