import {
  byVerdict,
  changeText,
  countsText,
  headline,
  pText,
  quantity,
  voidingText,
} from '../../compare/format.js';
import type { Comparison, MetricComparison } from '../../compare/types.js';
import type { RunFile } from '../../results/run-file.js';
import { distributionSpec } from '../charts/distributions.js';
import { environmentPairs, formatNumber } from '../format.js';
import { markup, type SafeHtml } from './escape.js';
import { chartFigure } from './figure.js';
import { page } from './page.js';

/**
 * Distribution charts drawn at most: a whole catalog compares hundreds of metrics, and each chart
 * is a few kB. Regressions and improvements come first, so they are never the ones left out.
 */
export const MAX_DISTRIBUTIONS = 60;

function runLine(role: string, side: Comparison['baseline'], run: RunFile): SafeHtml {
  return markup`<tr>
    <th>${role}</th>
    <td>${side.label}</td>
    <td>${side.startedAt}</td>
    <td>${run.status}, ${run.cases.length} cases, ${run.repeat} repetitions each</td>
    <td><code>${side.path}</code></td>
  </tr>`;
}

function environmentTable(
  c: Comparison,
  runs: { baseline: RunFile; candidate: RunFile },
): SafeHtml {
  const severity = (d: Comparison['environment'][number]): string =>
    d.severity ?? (d.voids ? 'voids' : 'warning');
  const differences = new Map(c.environment.map((d) => [d.field, d]));
  const base = environmentPairs(runs.baseline);
  const cand = new Map(environmentPairs(runs.candidate));
  const rows = base.map(([field, value]) => {
    const other = cand.get(field) ?? '';
    return markup`<tr>
      <td>${field}</td>
      <td>${value}</td>
      <td class="${value === other ? '' : 'warning'}">${other}</td>
    </tr>`;
  });
  const diffs = c.environment.map(
    (d) =>
      markup`<tr>
        <td><code>${d.field}</code></td>
        <td>${d.baseline}</td>
        <td>${d.candidate}</td>
        <td
          class="${severity(d) === 'voids' ? 'regression' : severity(d) === 'warning' ? 'warning' : 'muted'}"
        >
          ${severity(d)}${d.why === undefined ? '' : `: ${d.why}`}
        </td>
      </tr>`,
  );
  return markup`<section id="environment">
    <h2>Environment</h2>
    <table>
      <thead>
        <tr>
          <th></th>
          <th>Baseline</th>
          <th>Candidate</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    ${
      differences.size === 0
        ? markup`<p>The environments do not differ in anything that matters to a comparison.</p>`
        : markup`<h3>Differences</h3>
            <table>
              <thead>
                <tr>
                  <th>Field</th>
                  <th>Baseline</th>
                  <th>Candidate</th>
                  <th>Matters</th>
                </tr>
              </thead>
              <tbody>
                ${diffs}
              </tbody>
            </table>`
    }
  </section>`;
}

function metricRow(m: MetricComparison): SafeHtml {
  const ci =
    m.changeCi95 === undefined
      ? '–'
      : `${formatNumber(m.changeCi95[0])} to ${formatNumber(m.changeCi95[1])}`;
  return markup`<tr>
    <td class="${m.verdict}">${m.verdict}</td>
    <td>${m.case}</td>
    <td><code>${m.metric}</code></td>
    <td class="num">${quantity(m.baselineMedian, m.unit)}</td>
    <td class="num">${quantity(m.candidateMedian, m.unit)}</td>
    <td class="num">${changeText(m)}</td>
    <td class="num">${ci}</td>
    <td class="num">${pText(m.pValue)}</td>
    <td class="num">${m.baseline.length} / ${m.candidate.length}</td>
    <td class="why">${m.reason}</td>
  </tr>`;
}

function metricsTable(metrics: readonly MetricComparison[]): SafeHtml {
  return markup`<div class="scroll">
    <table>
      <thead>
        <tr>
          <th>Verdict</th>
          <th>Case</th>
          <th>Metric</th>
          <th>Baseline</th>
          <th>Candidate</th>
          <th>Change</th>
          <th>95% CI of change</th>
          <th>p</th>
          <th>n</th>
          <th>Why</th>
        </tr>
      </thead>
      <tbody>
        ${metrics.map(metricRow)}
      </tbody>
    </table>
  </div>`;
}

/** Worth a chart: samples on both sides, and not all one value (a count that stayed 0). */
function chartable(m: MetricComparison): boolean {
  const all = [...m.baseline, ...m.candidate];
  return m.baseline.length > 0 && m.candidate.length > 0 && all.some((x) => x !== all[0]);
}

async function distributions(c: Comparison): Promise<SafeHtml> {
  const candidates = byVerdict(c.metrics).filter(chartable);
  const drawn = candidates.slice(0, MAX_DISTRIBUTIONS);
  const figures: SafeHtml[] = [];
  for (const m of drawn) {
    figures.push(
      await chartFigure('distribution', distributionSpec(m), `${m.verdict}: ${m.reason}`),
    );
  }
  const left = candidates.length - drawn.length;
  const flat = c.metrics.length - candidates.length;
  return markup`<section id="distributions">
    <h2>Distributions</h2>
    <p class="muted">
      Each run's samples as ticks over its box plot (median, quartiles, min to
      max).${flat > 0 ? ` ${flat} metrics are not drawn: one side has no samples, or every sample is the same value.` : ''}${left > 0 ? ` ${left} more are left out to keep this page small; the JSON comparison has every sample.` : ''}
    </p>
    ${figures}
  </section>`;
}

/**
 * A comparison of two runs as one self-contained HTML page: the verdict, both runs and how their
 * environments differ, each metric with baseline, candidate, change, interval, p-value and
 * verdict (regressions first), and baseline against candidate distributions charted as inline SVG.
 * It opens offline and runs no script.
 */
export async function comparisonHtml(
  c: Comparison,
  runs: { baseline: RunFile; candidate: RunFile },
): Promise<string> {
  const sorted = byVerdict(c.metrics);
  const forced =
    c.forced === true
      ? markup`<p class="regression">
          Forced: the environments differ in ${voidingText(c)}, so these verdicts say what the
          numbers did, not what the kernel did.
        </p>`
      : undefined;
  const only = (what: string, cases: readonly string[]): SafeHtml | undefined =>
    cases.length === 0
      ? undefined
      : markup`<p class="warning">Only in the ${what}: ${cases.join(', ')}.</p>`;
  const body = markup`<header>
      <h1 class="${c.counts.regression > 0 ? 'regression' : 'passed'}">${headline(c)}</h1>
      <p>${countsText(c)}.</p>
      ${forced}
      <table>
        <tbody>
          ${runLine('Baseline', c.baseline, runs.baseline)}${runLine('Candidate', c.candidate, runs.candidate)}
        </tbody>
      </table>
    </header>
    ${environmentTable(c, runs)}
    <section id="metrics">
      <h2>Metrics</h2>
      ${c.metrics.length === 0 ? markup`<p>No metric in common.</p>` : metricsTable(sorted)}
      ${only('baseline', c.onlyInBaseline)}${only('candidate', c.onlyInCandidate)}
    </section>
    ${await distributions(c)}`;
  return page(`bondlab compare: ${headline(c)}`, body);
}
