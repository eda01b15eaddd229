import t from 'tap';
import type { TopLevelSpec } from 'vega-lite';
import { compareRuns } from '../../harness/compare/compare.js';
import type { FailoverResult } from '../../harness/measure/failover.js';
import type { ThroughputResult } from '../../harness/measure/throughput.js';
import { distributionSpec } from '../../harness/report/charts/distributions.js';
import { failoverTimelineSpec } from '../../harness/report/charts/failover-timeline.js';
import { renderChart } from '../../harness/report/charts/render.js';
import { throughputSpec } from '../../harness/report/charts/throughput-series.js';
import { comparisonHtml, MAX_DISTRIBUTIONS } from '../../harness/report/html/comparison.js';
import { chartFigure } from '../../harness/report/html/figure.js';
import { escapeHtml, markup, trustedSvg } from '../../harness/report/html/escape.js';
import { runHtml } from '../../harness/report/html/run.js';
import type { RunFile } from '../../harness/results/run-file.js';
import { fixture } from './markdown-expected.js';

const HOSTILE = '<script>alert("x")</script> " \' & <img src=x onerror=alert(1)>';

function measurement<K extends 'failover' | 'throughput'>(run: RunFile, kind: K) {
  const m = run.cases[0]?.repetitions[0]?.find((x) => x.kind === kind);
  if (m === undefined) throw new Error(`fixture: no ${kind} result`);
  return m.result as K extends 'failover' ? FailoverResult : ThroughputResult;
}

/** The figures of a page: what each shows (data-chart) and its markup. */
function figures(page: string): { chart: string; body: string }[] {
  return [
    ...page.matchAll(/<figure class="chart" data-chart="([a-z-]+)"[^>]*>([^]*?)<\/figure>/g),
  ].map((m) => ({ chart: m[1] ?? '', body: m[2] ?? '' }));
}

void t.test('every chart spec renders without a Vega-Lite warning', async (t) => {
  const run = fixture('run');
  const old = fixture('before-series');
  const specs = {
    'timeline with arrivals': failoverTimelineSpec(measurement(run, 'failover'), 'a note'),
    'timeline without arrivals': failoverTimelineSpec(measurement(old, 'failover'), undefined),
    'throughput from counters': throughputSpec(measurement(run, 'throughput'), { title: 't' }),
    'throughput from iperf3': throughputSpec(measurement(old, 'throughput'), {
      title: 't',
      marks: [{ s: 1, label: 'fault', color: '#d62728' }],
    }),
  };
  for (const [name, spec] of Object.entries(specs)) {
    const { svg, warnings } = await renderChart(spec);
    t.same(warnings, [], `${name}: no warning`);
    t.match(svg, /^<svg [^>]*width="\d+" height="\d+"/, `${name}: an SVG with a size`);
  }
});

void t.test(
  'a run page: one figure per chart, each drawn, and the same bytes every time',
  async (t) => {
    const run = fixture('run');
    const page = await runHtml(run);
    t.equal(await runHtml(run), page, 'deterministic');
    t.match(page, /^<!doctype html>\n<html lang="en">/);
    t.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; /);
    t.notMatch(page, /<script|<link|<img|src=|href="http/i, 'nothing to run, nothing to fetch');
    t.notMatch(page, 'data-error', 'every chart drawn');
    const figs = figures(page);
    t.same(
      figs.map((f) => f.chart),
      ['throughput', 'failover-timeline'],
      'throughput per slave, then the failover timeline, in the order measured',
    );
    for (const f of figs) t.match(f.body, /<svg /, `${f.chart}: inline SVG`);
    const timeline = figs[1]?.body ?? '';
    t.match(timeline, 'ms since the fault');
    t.match(timeline, 'one-way delay (ms)');
    t.match(timeline, /fault: carrier-loss client:eth0/);
    t.match(timeline, />eth0 carrier-down, slave-down</, 'events of one moment share a label');
    t.match(timeline, />bond0 failover</);
    t.match(timeline, />restore</);
    t.match(timeline, /client → server: \d+ lost/);
    const probes = /class="mark-symbol role-mark probes_marks"[^>]*>([^]*?)<\/g>/.exec(
      timeline,
    )?.[1];
    const points = probes?.match(/<path /g)?.length ?? 0;
    t.ok(points > 20 && points <= 2 * 300, `probes drawn, and bounded (${points})`);
    t.match(figs[0]?.body, />eth0</, 'a line per slave: eth0');
    t.match(figs[0]?.body, />eth1</, 'a line per slave: eth1');
    t.ok(page.length < 150_000, `a one-case page stays small (${page.length} bytes)`);
  },
);

void t.test('an older run: the charts say what is missing', async (t) => {
  const page = await runHtml(fixture('before-series'));
  t.match(page, 'No probe arrivals in this run (run.json from before they were kept)');
  t.match(
    page,
    /No per-interface counter series \(this run\.json is from before they were sampled\)/,
  );
  t.same(
    figures(page).map((f) => f.chart),
    ['throughput', 'failover-timeline'],
  );
  const errored = await runHtml(fixture('error-run'));
  t.match(errored, 'No measurement finished: nothing to chart.');
  t.match(errored, /<pre class="error">no &quot;Server listening&quot; within 5000 ms/);
});

void t.test('text from a run is escaped everywhere, charts included', async (t) => {
  const run = fixture('run');
  const c = run.cases[0];
  const m = c?.repetitions[0]?.find((x) => x.kind === 'failover');
  if (c === undefined || m?.kind !== 'failover') throw new Error('fixture: no failover');
  c.case = HOSTILE;
  c.scenario = HOSTILE;
  c.error = HOSTILE;
  for (const e of c.expectations) e.says = HOSTILE;
  run.stopReason = HOSTILE;
  run.environment.hostname = HOSTILE;
  m.result.fault.describe = HOSTILE;
  m.result.events[0] = { ...m.result.events[0], ifname: HOSTILE } as FailoverResult['events'][0];
  const page = await runHtml(run);
  t.notMatch(page, /<script|<img/i, 'no element from the run');
  t.notMatch(page, 'data-error', 'every chart drawn, whatever its text says');
  t.match(page, '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;', 'shown as text in the page');
  t.match(page, /<h2>&lt;script&gt;/, 'the case heading');
  t.match(page, /<text[^>]*>Failover timeline: &lt;script&gt;alert\("x"\)/, 'and in a chart');
});

void t.test('a failover with throughput across it: the rates chart marks the fault', async (t) => {
  const run = fixture('run');
  const rep = run.cases[0]?.repetitions[0] ?? [];
  const f = rep.find((m) => m.kind === 'failover');
  const tp = rep.find((m) => m.kind === 'throughput');
  if (f?.kind !== 'failover' || tp?.kind !== 'throughput') throw new Error('fixture: no results');
  // The case's own throughput result stands in for one run across the fault; the clients are
  // taken to start 2 s before it, so its marks fall inside the series.
  const injected = f.result.faultEvents.find((e) => e.action === 'inject')?.atMs ?? 0;
  f.result.throughput = { ...tp.result, startedAtMs: injected - 2000 };
  const c = run.cases[0];
  if (c !== undefined) c.repetitions = [[f]];
  const figs = figures(await runHtml(run));
  t.same(
    figs.map((x) => x.chart),
    ['failover-timeline', 'throughput'],
  );
  const rates = figs[1]?.body ?? '';
  t.match(rates, /Throughput across the fault: carrier loss on client:eth0/);
  t.match(rates, />fault: carrier-loss</);
  t.match(rates, />restore</);
  t.equal(rates.match(/class="mark-line role-mark rates_marks"/g)?.length, 2, 'a line per slave');
});

void t.test('a chart that cannot be drawn says why in its place', async (t) => {
  const fig = await chartFigure('broken', { mark: 'nonsense' } as unknown as TopLevelSpec, 'c');
  t.match(fig.value, /^<figure class="chart" data-chart="broken" data-error="">/);
  t.match(fig.value, /This chart could not be drawn: [^\n]+<\/pre>/, 'its message, no stack');
});

void t.test('escape: the template escapes strings and keeps markup', async (t) => {
  t.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
  );
  t.equal(
    markup`<td title="${'"q"'}">${'<b>'}${markup`<i>${1}</i>`}</td>`.value,
    '<td title="&quot;q&quot;">&lt;b&gt;<i>1</i></td>',
  );
  t.throws(() => trustedSvg('<svg><script>x</script></svg>'), /refusing to inline/);
  t.throws(() => trustedSvg('<svg><g onload="x"/></svg>'), /refusing to inline/);
  t.throws(() => trustedSvg('<div/>'), /refusing to inline/);
  t.throws(() => trustedSvg('<svg><a href="javascript:x">a</a></svg>'), /refusing to inline/);
  const text = '<svg><text aria-label="x onload=y">&lt;script&gt; onerror=z</text></svg>';
  t.equal(trustedSvg(text).value, text, 'what the text says is not looked at');
});

void t.test('a comparison page: the table, and distributions where samples differ', async (t) => {
  const baseline = fixture('before-series');
  const candidate = fixture('run');
  const c = compareRuns(baseline, candidate, { paths: { baseline: 'a', candidate: 'b' } });
  const page = await comparisonHtml(c, { baseline, candidate });
  t.equal(await comparisonHtml(c, { baseline, candidate }), page, 'deterministic');
  t.notMatch(page, /<script/i);
  const drawn = c.metrics.filter((m) => new Set([...m.baseline, ...m.candidate]).size > 1);
  const figs = figures(page);
  t.equal(figs.length, drawn.length, 'one chart per metric whose samples differ');
  t.ok(figs.length > 0);
  for (const f of figs) {
    t.equal(f.chart, 'distribution');
    t.equal(f.body.match(/class="mark-rect role-mark samples_marks"/g)?.length, 1, 'samples drawn');
  }
  t.match(page, /<td class="(inconclusive|missing|unchanged|regression|improvement)">/);
  t.match(
    page,
    `${drawn.length < c.metrics.length ? c.metrics.length - drawn.length : 0} metrics are not drawn`,
  );

  const hostile = structuredClone(c);
  for (const m of hostile.metrics) {
    m.case = HOSTILE;
    m.reason = HOSTILE;
  }
  hostile.baseline.path = HOSTILE;
  const escaped = await comparisonHtml(hostile, { baseline, candidate });
  t.notMatch(escaped, /<script|<img/i, 'names and reasons escaped, charts included');
  t.match(escaped, /<text[^>]*>&lt;script&gt;alert\("x"\)/, 'a chart title shows the text');
});

void t.test(
  'a comparison of many metrics draws at most MAX_DISTRIBUTIONS, regressions first',
  async (t) => {
    const baseline = fixture('before-series');
    const candidate = fixture('run');
    const c = compareRuns(baseline, candidate, { paths: { baseline: 'a', candidate: 'b' } });
    const one = c.metrics.find((m) => m.baseline[0] !== m.candidate[0]);
    if (one === undefined) throw new Error('fixtures: no metric differs');
    c.metrics = Array.from({ length: MAX_DISTRIBUTIONS + 5 }, (_, i) => ({
      ...one,
      case: `case-${i}`,
      verdict: i === MAX_DISTRIBUTIONS + 4 ? 'regression' : 'unchanged',
    }));
    const page = await comparisonHtml(c, { baseline, candidate });
    t.equal(figures(page).length, MAX_DISTRIBUTIONS);
    t.match(page, 'case-64 · ');
    t.match(page, '5 more are left out to keep this page small');
    t.ok(distributionSpec(one));
  },
);
