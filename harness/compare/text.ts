import {
  byVerdict,
  changeText,
  countsText,
  headline,
  pText,
  quantity,
  voidingText,
} from './format.js';
import type { Comparison, MetricComparison } from './types.js';
import { beyondThresholds } from './verdict.js';

/**
 * The comparison for a terminal: the environment's differences, then per case every metric that
 * is not unchanged or whose median moved past its thresholds without being significant (with
 * baseline and candidate medians, change, p, q and verdict; the other unchanged ones counted), then the cases in one run only, and the headline last, where a CI log's tail shows it.
 */
export function comparisonText(c: Comparison): string[] {
  const lines = [
    `baseline:  ${c.baseline.path} (${c.baseline.label}, ${c.baseline.startedAt})`,
    `candidate: ${c.candidate.path} (${c.candidate.label}, ${c.candidate.startedAt})`,
  ];
  if (c.forced === true) {
    lines.push(`FORCED: the environments differ in ${voidingText(c)}; these verdicts do not hold`);
  }
  if (c.environment.length > 0) {
    lines.push('environment:');
    for (const d of c.environment) {
      const severity = d.severity ?? (d.voids ? 'voids' : 'warning');
      const why = d.why === undefined ? '' : `: ${d.why}`;
      lines.push(`  ${severity.padEnd(7)} ${d.field} ${d.baseline} → ${d.candidate}${why}`);
    }
  }
  for (const name of [...new Set(c.metrics.map((m) => m.case))]) {
    lines.push('', name, ...caseLines(c.metrics.filter((m) => m.case === name)));
  }
  if (c.onlyInBaseline.length > 0)
    lines.push('', `only in the baseline: ${c.onlyInBaseline.join(', ')}`);
  if (c.onlyInCandidate.length > 0) {
    lines.push('', `only in the candidate: ${c.onlyInCandidate.join(', ')}`);
  }
  lines.push('', `${c.forced === true ? 'FORCED: ' : ''}${headline(c)} (${countsText(c)})`);
  return lines;
}

/**
 * A case's metrics that are not unchanged, one line each, the unchanged counted; the reasons of
 * inconclusive ones once each (they are mostly the case's repetitions). A case whose metrics all
 * share one reason says it in one line.
 */
function caseLines(metrics: readonly MetricComparison[]): string[] {
  const reasons = [...new Set(metrics.map((m) => m.reason))];
  const [first] = metrics;
  if (first !== undefined && reasons.length === 1 && first.verdict === 'inconclusive') {
    return [`  all ${metrics.length} metrics inconclusive: ${first.reason}`];
  }
  // Unchanged but past the thresholds: not significant, yet worth a look (repeat more).
  const shown = byVerdict(metrics.filter((m) => m.verdict !== 'unchanged' || beyondThresholds(m)));
  const width = Math.max(0, ...shown.map((m) => m.metric.length));
  const lines = shown.map((m) => `  ${metricLine(m, width)}`);
  const why = [...new Set(shown.filter((m) => m.verdict === 'inconclusive').map((m) => m.reason))];
  for (const reason of why) lines.push(`  inconclusive: ${reason}`);
  const unchanged = metrics.length - shown.length;
  if (unchanged > 0) {
    const more = shown.some((m) => m.verdict === 'unchanged') ? ' more' : '';
    lines.push(`  ${shown.length === 0 ? 'all ' : ''}${unchanged}${more} unchanged`);
  }
  return lines;
}

function metricLine(m: MetricComparison, width: number): string {
  const medians = `${quantity(m.baselineMedian, m.unit)} → ${quantity(m.candidateMedian, m.unit)}`;
  return [
    m.verdict.toUpperCase().padEnd(13),
    m.metric.padEnd(width),
    `  ${medians}`,
    m.change === undefined ? '' : `  ${changeText(m)}`,
    m.pValue === undefined ? '' : `  p ${pText(m.pValue)}`,
    m.pAdjusted === undefined ? '' : ` q ${pText(m.pAdjusted)}`,
    m.verdict === 'missing' ? `  (${m.reason})` : '',
    // Shown although unchanged: past the thresholds, so what it lacked is significance.
    m.verdict === 'unchanged' ? `  (not significant at alpha ${m.thresholds.alpha})` : '',
  ].join('');
}
