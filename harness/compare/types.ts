/** Which way is better for a metric. */
export type Better = 'lower' | 'higher';

/** When a change counts: both thresholds must be exceeded (and the test must be significant). */
export interface Thresholds {
  /** Relative change of the median, e.g. 0.1 for 10%. */
  relative: number;
  /** Absolute change of the median, in the metric's unit. */
  absolute: number;
  /** Significance level of the test over the repetitions, e.g. 0.05. */
  alpha: number;
}

/**
 * The verdict on one metric of one case:
 * - regression / improvement: significant (adjusted p below alpha), and beyond both thresholds, in
 *   the bad / good direction;
 * - unchanged: within the thresholds, or not significant;
 * - inconclusive: too few samples on a side to test (a single run can say only this);
 * - missing: in one run but not the other.
 */
export type Verdict = 'regression' | 'improvement' | 'unchanged' | 'inconclusive' | 'missing';

export interface MetricComparison {
  /** Case name, e.g. `modes[mode=1]`. */
  case: string;
  /** `<measurement id>.<metric>`, e.g. `failover.detection`. */
  metric: string;
  unit: string;
  better: Better;
  baseline: number[];
  candidate: number[];
  baselineMedian: number | undefined;
  candidateMedian: number | undefined;
  /** candidate median − baseline median. */
  change: number | undefined;
  /** change / |baseline median| (undefined when the baseline median is 0). */
  relativeChange: number | undefined;
  /** 95% bootstrap interval of the median difference (candidate − baseline). */
  changeCi95: [number, number] | undefined;
  /** Two-sided p-value of the test (Mann-Whitney U, exact or normal approximation). */
  pValue: number | undefined;
  /**
   * q: pValue adjusted for every metric the comparison tested (Benjamini-Hochberg); the verdict
   * compares it with alpha. Absent when the metric was not tested.
   */
  pAdjusted?: number | undefined;
  thresholds: Thresholds;
  verdict: Verdict;
  /** One sentence: why this verdict. */
  reason: string;
}

/** A difference between the two runs' environments. `voids`: the comparison means nothing. */
export interface EnvironmentDifference {
  field: string;
  baseline: string;
  candidate: string;
  voids: boolean;
  /**
   * How much it matters: `voids` (voids is true), `warning` (it alone may move the numbers),
   * `info` (reported, and often the point: the kernel release, the commit). Absent in comparisons
   * made before it existed: read it as `voids` or `warning` after `voids`.
   */
  severity?: 'voids' | 'warning' | 'info';
  /** Why it matters, one sentence. */
  why?: string;
}

export interface Comparison {
  baseline: { path: string; label: string; startedAt: string };
  candidate: { path: string; label: string; startedAt: string };
  environment: EnvironmentDifference[];
  metrics: MetricComparison[];
  /** Cases in one run and not the other. */
  onlyInBaseline: string[];
  onlyInCandidate: string[];
  counts: Record<Verdict, number>;
  /**
   * `--force`: the environments void the comparison (see `environment`), and it was made anyway.
   * Its verdicts say what the numbers did, not what the kernel did. Absent: not forced.
   */
  forced?: boolean;
}
