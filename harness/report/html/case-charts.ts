import type { FailoverResult } from '../../measure/failover.js';
import type { ThroughputResult } from '../../measure/throughput.js';
import type { CaseResult, MeasurementResult } from '../../scenario/result.js';
import { failoverTimelineSpec } from '../charts/failover-timeline.js';
import { throughputSpec, type TimeMark } from '../charts/throughput-series.js';
import { markup, type SafeHtml } from './escape.js';
import { chartFigure } from './figure.js';

/** What a repetition is ranked by, to chart the typical one: the outage, or the rate. */
function rank(m: MeasurementResult): number {
  return m.kind === 'failover'
    ? m.result.outageMs
    : m.result.aggregate.totals.received.bitsPerSecond;
}

/**
 * Of every repetition's result for one measurement, the one with the median value (the lower of
 * the two middle ones), and a sentence saying which it is.
 */
function typical(
  c: CaseResult,
  id: string,
): { m: MeasurementResult; note: string | undefined } | undefined {
  const all = c.repetitions.flatMap((rep, i) =>
    rep.filter((m) => m.id === id).map((m) => ({ m, index: i })),
  );
  const sorted = [...all].sort((a, b) => rank(a.m) - rank(b.m) || a.index - b.index);
  const pick = sorted[Math.floor((sorted.length - 1) / 2)];
  if (pick === undefined) return undefined;
  const what = pick.m.kind === 'failover' ? 'outage' : 'throughput';
  const note =
    all.length > 1
      ? `Repetition ${pick.index + 1} of ${all.length}: the one with the median ${what}.`
      : undefined;
  return { m: pick.m, note };
}

/** The fault and its restore on a throughput's time axis (runs before startedAtMs: none). */
function faultMarks(f: FailoverResult, t: ThroughputResult): TimeMark[] {
  const started = (t as Partial<ThroughputResult>).startedAtMs;
  if (started === undefined) return [];
  return f.faultEvents.map((e) => ({
    s: (e.atMs - started) / 1000,
    label: e.action === 'inject' ? `fault: ${e.kind}` : 'restore',
    color: e.action === 'inject' ? '#d62728' : '#2ca02c',
  }));
}

async function failoverCharts(
  id: string,
  f: FailoverResult,
  note: string | undefined,
): Promise<SafeHtml[]> {
  const figures = [
    await chartFigure(
      'failover-timeline',
      failoverTimelineSpec(f, note),
      `${id}: probes around the fault, and what the kernel reported.`,
    ),
  ];
  if (f.throughput !== undefined) {
    const spec = throughputSpec(f.throughput, {
      title: `Throughput across the fault: ${f.fault.describe}`,
      marks: faultMarks(f, f.throughput),
      note,
    });
    figures.push(
      await chartFigure('throughput', spec, `${id}: iperf3 running through the fault, per slave.`),
    );
  }
  return figures;
}

/** Every chart of a case: per measurement, its typical repetition drawn. */
export async function caseCharts(c: CaseResult): Promise<SafeHtml[]> {
  const ids = [...new Set(c.repetitions.flatMap((rep) => rep.map((m) => m.id)))];
  const figures: SafeHtml[] = [];
  for (const id of ids) {
    const chosen = typical(c, id);
    if (chosen === undefined) continue;
    const { m, note } = chosen;
    if (m.kind === 'failover') {
      figures.push(...(await failoverCharts(id, m.result, note)));
    } else {
      const spec = throughputSpec(m.result, { title: `Throughput per slave: ${id}`, note });
      const caption = `${id}: ${m.result.from} → ${m.result.to}, ${m.result.flows.length} flows.`;
      figures.push(await chartFigure('throughput', spec, caption));
    }
  }
  return figures.length === 0
    ? [markup`<p class="muted">No measurement finished: nothing to chart.</p>`]
    : figures;
}
