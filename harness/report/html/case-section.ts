import type { CaseResult, ExpectationResult, MetricResult } from '../../scenario/result.js';
import { duration, formatNumber, quantity } from '../format.js';
import { caseCharts } from './case-charts.js';
import { markup, type SafeHtml } from './escape.js';
import { caseAnchor } from './run-sections.js';

function expectationRow(c: CaseResult, e: ExpectationResult): SafeHtml {
  const unit = c.metrics.find((m) => m.name === e.metric)?.unit ?? '';
  const measured = e.measured === undefined ? 'not measured' : quantity(e.measured, unit);
  return markup`<tr>
    <td class="${e.pass ? 'ok' : 'failed'}">${e.pass ? 'met' : 'FAILED'}</td>
    <td>${e.says}</td>
    <td><code>${e.metric}</code></td>
    <td class="num">${measured}</td>
    <td class="num">${e.op} ${quantity(e.value, unit)}</td>
  </tr>`;
}

function metricRow(m: MetricResult): SafeHtml {
  const s = m.summary;
  const cells =
    s === undefined
      ? markup`<td class="muted" colspan="5">no samples</td>`
      : markup`<td class="num">${quantity(s.median, m.unit)}</td>
          <td class="num">${formatNumber(s.ci95[0])}–${formatNumber(s.ci95[1])}</td>
          <td class="num">${formatNumber(s.min)}–${formatNumber(s.max)}</td>
          <td class="num">${formatNumber(s.p95)}</td>
          <td class="num">${s.n}</td>`;
  return markup`<tr>
    <td><code>${m.name}</code></td>
    ${cells}
    <td>${m.better}</td>
  </tr>`;
}

function bondsTable(c: CaseResult): SafeHtml | undefined {
  const rows = c.bonds.flatMap((b) =>
    b.options.map((o) => {
      const differs = o.actual !== o.requested;
      return markup`<tr>
        <td>${b.host}:${b.name}</td>
        <td><code>${o.option}</code></td>
        <td>${o.requested}</td>
        <td class="${differs ? 'mismatch' : ''}">${o.actual ?? 'not reported'}</td>
      </tr>`;
    }),
  );
  if (rows.length === 0) return undefined;
  return markup`<h3>Bond options</h3>
    <table>
      <thead>
        <tr>
          <th>Bond</th>
          <th>Option</th>
          <th>Requested</th>
          <th>Kernel reports</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>`;
}

/** One case in full: its error, expectations, metrics, bond options and charts. */
export async function caseSection(c: CaseResult, index: number): Promise<SafeHtml> {
  const params = Object.entries(c.params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  const expectations =
    c.expectations.length === 0
      ? undefined
      : markup`<h3>Expectations</h3>
          <table>
            <thead>
              <tr>
                <th></th>
                <th>Says</th>
                <th>Metric</th>
                <th>Measured (worst)</th>
                <th>Bound</th>
              </tr>
            </thead>
            <tbody>
              ${c.expectations.map((e) => expectationRow(c, e))}
            </tbody>
          </table>`;
  const metrics = markup`<h3>Metrics</h3>
    <table>
      <thead>
        <tr>
          <th>Metric</th>
          <th>Median</th>
          <th>95% CI</th>
          <th>Min–max</th>
          <th>p95</th>
          <th>n</th>
          <th>Better</th>
        </tr>
      </thead>
      <tbody>
        ${c.metrics.map(metricRow)}
      </tbody>
    </table>`;
  return markup`<section class="case" id="${caseAnchor(index)}">
    <h2>${c.case}</h2>
    <p>
      <span class="${c.status}">${c.status}</span> · scenario
      ${c.scenario}${params === '' ? '' : ` (${params})`} · ${duration(c.durationMs)} · started
      ${c.startedAt}
    </p>
    ${c.error === undefined ? undefined : markup`<pre class="error">${c.error}</pre>`} ${expectations}
    ${metrics} ${bondsTable(c)}
    <h3>Charts</h3>
    ${await caseCharts(c)}
  </section>`;
}
