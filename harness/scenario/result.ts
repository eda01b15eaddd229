import type { FailoverResult } from '../measure/failover.js';
import type { Summary } from '../measure/stats.js';
import type { ThroughputResult } from '../measure/throughput.js';
import type { OptionComparison } from '../topology/verify-bond.js';
import type { Expectation, Params } from './types.js';

/** One metric of a case over its repetitions. */
export interface MetricResult {
  /** `<measurement id>.<metric>`. */
  name: string;
  unit: string;
  better: 'lower' | 'higher';
  samples: number[];
  summary: Summary | undefined;
}

export interface ExpectationResult extends Expectation {
  /** The worst repetition's value (the one the bound is checked against). */
  measured: number | undefined;
  pass: boolean;
}

export type MeasurementResult =
  | { id: string; kind: 'failover'; result: FailoverResult }
  | { id: string; kind: 'throughput'; result: ThroughputResult };

export type CaseStatus = 'passed' | 'failed' | 'error' | 'interrupted';

/** Everything one case of a scenario produced. */
export interface CaseResult {
  scenario: string;
  /** e.g. `modes-failover[mode=1]`. */
  case: string;
  params: Params;
  status: CaseStatus;
  /** Why it errored or stopped. */
  error: string | undefined;
  startedAt: string;
  durationMs: number;
  /** Each bond's options as requested and as the kernel reports them (first repetition). */
  bonds: { host: string; name: string; options: OptionComparison[] }[];
  metrics: MetricResult[];
  expectations: ExpectationResult[];
  /** Every repetition's raw results, in order. */
  repetitions: MeasurementResult[][];
}
