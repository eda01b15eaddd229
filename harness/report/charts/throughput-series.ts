import type { TopLevelSpec } from 'vega-lite';
import type { CounterSeries } from '../../measure/series.js';
import type { ThroughputResult } from '../../measure/throughput.js';
import { CHART_CONFIG, CHART_WIDTH } from './theme.js';

/** Samples drawn per interface, at most: longer series are averaged in buckets. */
export const MAX_SAMPLES_PER_INTERFACE = 400;
const HEIGHT = 160;

/** A moment to mark on the time axis (a fault, its restore), seconds since the clients started. */
export interface TimeMark {
  s: number;
  label: string;
  color: string;
}

interface Row {
  s: number;
  mbit: number;
  line: string;
}

/** Averages consecutive samples into at most `max` points: the area under the curve stays. */
function thin(
  times: readonly number[],
  values: readonly number[],
  max: number,
): [number, number][] {
  const pairs = times.map((t, i): [number, number] => [t, values[i] ?? 0]);
  if (pairs.length <= max) return pairs;
  const per = Math.ceil(pairs.length / max);
  const out: [number, number][] = [];
  for (let i = 0; i < pairs.length; i += per) {
    const chunk = pairs.slice(i, i + per);
    const mean = (k: 0 | 1): number => chunk.reduce((sum, p) => sum + p[k], 0) / chunk.length;
    out.push([mean(0), mean(1)]);
  }
  return out;
}

function counterRows(series: CounterSeries): Row[] {
  // The first sample has no interval before it: its rate is 0 by definition, not by measurement.
  const times = series.atMs.slice(1).map((ms) => ms / 1000);
  return Object.entries(series.txBitsPerSecond).flatMap(([ifname, bps]) =>
    thin(times, bps.slice(1), MAX_SAMPLES_PER_INTERFACE).map(([s, v]) => ({
      s,
      mbit: v / 1e6,
      line: ifname,
    })),
  );
}

/** iperf3's intervals as steps: each one's rate from its start, closed at the last one's end. */
function iperfRows(t: ThroughputResult): Row[] {
  const kept = t.aggregate.intervals.filter((i) => !i.omitted);
  const rows = kept.map((i) => ({
    s: i.start + t.omitS,
    mbit: i.bitsPerSecond / 1e6,
    line: 'iperf3 total',
  }));
  const last = kept[kept.length - 1];
  if (last !== undefined)
    rows.push({ s: last.end + t.omitS, mbit: last.bitsPerSecond / 1e6, line: 'iperf3 total' });
  return rows;
}

/** What the chart is drawn from, and what it says about a missing series. */
function source(t: ThroughputResult): {
  rows: Row[];
  says: string;
  step: 'step-before' | 'step-after';
} {
  const counters = t.counters;
  const series = (counters as Partial<NonNullable<typeof counters>> | undefined)?.series;
  if (series !== undefined && series.atMs.length > 1) {
    return {
      rows: counterRows(series),
      // A counter sample is the rate over the interval that ends with it.
      step: 'step-before',
      says: `Sent by ${t.from}'s interfaces, from their kernel counters every ${series.intervalMs} ms.`,
    };
  }
  const why =
    counters === undefined
      ? 'no interface counters were asked for'
      : (counters.seriesError ?? 'this run.json is from before they were sampled');
  return {
    rows: iperfRows(t),
    step: 'step-after',
    says: `No per-interface counter series (${why}): iperf3's total over all flows instead.`,
  };
}

/**
 * Throughput over time per slave: each interface of the sending host, from its counters sampled
 * while iperf3 ran; a fault and its restore as rules where the measurement had one. Without a
 * counter series (older runs, or sampling failed) it draws iperf3's total and says why.
 */
export function throughputSpec(
  t: ThroughputResult,
  o: { title: string; marks?: readonly TimeMark[]; note?: string | undefined },
): TopLevelSpec {
  const { rows, says, step } = source(t);
  const x = {
    field: 's',
    type: 'quantitative' as const,
    scale: { zero: false, nice: false },
    axis: { title: 's since the clients started' },
  };
  const marks = o.marks ?? [];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CHART_CONFIG,
    title: { text: o.title, subtitle: o.note === undefined ? [says] : [says, o.note] },
    width: CHART_WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: marks.map((m) => ({ s: m.s, color: m.color, label: m.label })) },
        layer: [
          {
            name: 'fault_rules',
            mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 2 },
            encoding: { x, color: { field: 'color', type: 'nominal', scale: null } },
          },
          {
            name: 'fault_labels',
            mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: 2, fontSize: 10 },
            encoding: {
              x,
              text: { field: 'label', type: 'nominal' },
              color: { field: 'color', type: 'nominal', scale: null },
            },
          },
        ],
      },
      {
        name: 'rates',
        data: { values: rows },
        mark: { type: 'line', interpolate: step, strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: 'mbit', type: 'quantitative', axis: { title: 'Mbit/s' } },
          color: { field: 'line', type: 'nominal', legend: { title: null } },
        },
      },
    ],
  };
}
