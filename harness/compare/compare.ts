import type { RunFile } from '../results/run-file.js';
import type { CaseResult, MetricResult } from '../scenario/result.js';
import { environmentDifferences } from './environment.js';
import { thresholdsFor, type ThresholdRules } from './thresholds-file.js';
import type { Comparison, Verdict } from './types.js';
import { benjaminiHochberg } from './adjust.js';
import { decide, testMetric, type TestedMetric } from './verdict.js';

export interface CompareOptions {
  /** Where each run was read from, for the report. */
  paths: { baseline: string; candidate: string };
  /** The `--thresholds` file's rules (none: the defaults by unit). */
  rules?: ThresholdRules;
  /** Compare even when the environments void it (`--force`); the result says so. */
  force?: boolean;
}

export const VERDICTS: readonly Verdict[] = [
  'regression',
  'improvement',
  'unchanged',
  'inconclusive',
  'missing',
];

/**
 * Compares every metric of every case the two runs share; lists the cases only one has. The
 * p-values of all the metrics tested are adjusted together (Benjamini-Hochberg, adjust.ts): one
 * comparison is one family of tests, and noise must not raise a regression in any of them. Metrics
 * with no samples in either run (a failback where none happened) are nothing to compare and left
 * out; one with samples on one side only is `missing`. Checking the environment and refusing is the
 * caller's: this says what differs (`environment`), and `forced` when `force` was given for it.
 */
export function compareRuns(baseline: RunFile, candidate: RunFile, o: CompareOptions): Comparison {
  const rules = o.rules ?? [];
  const baseCases = new Map(baseline.cases.map((c) => [c.case, c]));
  const candCases = new Map(candidate.cases.map((c) => [c.case, c]));
  const tested: TestedMetric[] = [];
  for (const base of baseline.cases) {
    const cand = candCases.get(base.case);
    if (cand !== undefined) tested.push(...compareCase(base, cand, rules));
  }
  // One family: every metric of every case that was tested and awaits its verdict.
  const family = tested.filter((m) => m.verdict === undefined && m.pValue !== undefined);
  const adjusted = benjaminiHochberg(family.map((m) => m.pValue ?? 1));
  const q = new Map(family.map((m, i) => [m, adjusted[i]]));
  const metrics = tested.map((m) => decide(m, q.get(m)));
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const m of metrics) counts[m.verdict]++;
  const environment = environmentDifferences(baseline, candidate);
  const voided = environment.some((d) => d.voids);
  return {
    baseline: { path: o.paths.baseline, label: baseline.label, startedAt: baseline.startedAt },
    candidate: { path: o.paths.candidate, label: candidate.label, startedAt: candidate.startedAt },
    environment,
    metrics,
    onlyInBaseline: baseline.cases.map((c) => c.case).filter((n) => !candCases.has(n)),
    onlyInCandidate: candidate.cases.map((c) => c.case).filter((n) => !baseCases.has(n)),
    counts,
    ...(voided && o.force === true ? { forced: true } : {}),
  };
}

/** The metrics of one case, in the baseline's order, then those only the candidate has. */
function compareCase(base: CaseResult, cand: CaseResult, rules: ThresholdRules): TestedMetric[] {
  const byName = (c: CaseResult): Map<string, MetricResult> =>
    new Map(c.metrics.filter((m) => m.samples.length > 0).map((m) => [m.name, m]));
  const b = byName(base);
  const c = byName(cand);
  const names = [...b.keys(), ...[...c.keys()].filter((n) => !b.has(n))];
  return names.map((name) => {
    const ref = b.get(name) ?? c.get(name);
    if (ref === undefined) throw new Error(`unreachable: metric ${name} in neither run`);
    const judged = testMetric({
      case: base.case,
      metric: name,
      unit: ref.unit,
      better: ref.better,
      baseline: b.get(name)?.samples,
      candidate: c.get(name)?.samples,
      thresholds: thresholdsFor(rules, base.case, name, ref.unit),
    });
    const other = c.get(name);
    if (other !== undefined && (other.unit !== ref.unit || other.better !== ref.better)) {
      // The harness redefined the metric between the runs: its numbers no longer line up.
      return {
        ...judged,
        verdict: 'inconclusive' as const,
        reason: `redefined between the runs: ${ref.unit}, ${ref.better} is better → ${other.unit}, ${other.better} is better`,
      };
    }
    return judged;
  });
}
