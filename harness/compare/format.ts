import { quantity as runQuantity } from '../report/format.js';
import type { Comparison, MetricComparison, Verdict } from './types.js';

/** `96.0 ms`, `12.5%` (no space before %), or `–` when there is nothing: a run report's quantity. */
export function quantity(x: number | undefined, unit: string): string {
  return x === undefined ? '–' : runQuantity(x, unit);
}

/** `+35.0 ms (+36%)`, `−2.00 Mbit/s (−2.1%)`, `+20 probes` (from a median of 0: no %), `+3.00%`. */
export function changeText(m: MetricComparison): string {
  if (m.change === undefined) return '–';
  const sign = m.change > 0 ? '+' : m.change < 0 ? '−' : '±';
  const abs = `${sign}${quantity(Math.abs(m.change), m.unit)}`;
  // A share in % changes by points: a relative change on top would read as % of %.
  if (m.relativeChange === undefined || m.unit === '%') return abs;
  return `${abs} (${sign}${formatPercent(Math.abs(m.relativeChange))})`;
}

/** 0.364 → `36%`, 0.021 → `2.1%`, 0.05 → `5%`. */
export function formatPercent(fraction: number): string {
  const pct = fraction * 100;
  return `${pct >= 10 ? pct.toFixed(0) : String(Number(pct.toFixed(1)))}%`;
}

/** A p-value in a table: 3 significant digits, `<0.0001` below that, `–` when untested. */
export function pText(p: number | undefined): string {
  if (p === undefined) return '–';
  return p < 0.0001 ? '<0.0001' : String(Number(p.toPrecision(3)));
}

/** The order reports list verdicts in: what needs attention first. */
export const VERDICT_ORDER: readonly Verdict[] = [
  'regression',
  'improvement',
  'missing',
  'inconclusive',
  'unchanged',
];

/** Metrics sorted by verdict (regressions first), stable within a verdict. */
export function byVerdict(metrics: readonly MetricComparison[]): MetricComparison[] {
  return [...metrics].sort(
    (a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict),
  );
}

/** `2 regressions, 1 improvement, 36 unchanged, 0 inconclusive, 0 missing`. */
export function countsText(c: Comparison): string {
  const word = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  return [
    word(c.counts.regression, 'regression', 'regressions'),
    word(c.counts.improvement, 'improvement', 'improvements'),
    `${c.counts.unchanged} unchanged`,
    `${c.counts.inconclusive} inconclusive`,
    `${c.counts.missing} missing`,
  ].join(', ');
}

/** The one-line verdict a CI log or a PR comment leads with (the counts follow it). */
export function headline(c: Comparison): string {
  const total = c.metrics.length;
  const { regression, improvement } = c.counts;
  if (regression > 0) {
    const also = improvement > 0 ? `, ${improvement} improved` : '';
    return `Regression: ${regression} of ${total} metrics got worse${also}`;
  }
  if (improvement > 0) return `No regression: ${improvement} of ${total} metrics improved`;
  const { inconclusive, unchanged } = c.counts;
  if (inconclusive > 0 && unchanged === 0) {
    return `No regression found, and none could be: ${inconclusive} of ${total} metrics inconclusive`;
  }
  if (inconclusive > 0) {
    return `No regression: ${unchanged} of ${total} metrics unchanged, ${inconclusive} inconclusive`;
  }
  return `No regression: none of ${total} metrics got worse or better`;
}

/** The fields that void the comparison, as `kernel.kind (uml → host)`. */
export function voidingText(c: Comparison): string {
  return c.environment
    .filter((d) => d.voids)
    .map((d) => `${d.field} (${d.baseline} → ${d.candidate})`)
    .join(', ');
}
