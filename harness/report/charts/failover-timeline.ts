import type { TopLevelSpec } from 'vega-lite';
import type { FailoverArrivals } from '../../measure/arrivals.js';
import type { FailoverResult } from '../../measure/failover.js';
import type { OmittedSpan } from '../../measure/series.js';
import { delayPoints, lostRuns, omittedSpans } from './arrival-points.js';
import { eventMarks, layoutLabels, rowsHeight, rowY, type EventMark } from './event-marks.js';
import { CHART_CONFIG, CHART_WIDTH, PAIR_COLORS } from './theme.js';

/** Delivered probes drawn per direction, at most: see delayPoints. */
export const MAX_POINTS_PER_DIRECTION = 300;
const DELAY_HEIGHT = 170;
const LOST_ROW_PX = 16;
const LOST_COLOR = '#d62728';
const PARTLY_LOST_COLOR = '#f2a7a7';
const OMITTED_COLOR = '#f0f0f0';
/** A lost run is drawn at least this wide, so one lost probe shows. */
const MIN_LOST_PX = 2;

interface Direction {
  name: string;
  points: { t: number; delay: number; dir: string }[];
  lost: { from: number; to: number; dir: string }[];
  /** Spans of probes left out of the series: shaded behind the delays (none drawn there). */
  omitted: { from: number; to: number; dir: string }[];
  /** Those of them where some, not all, were lost: the loss strip cannot say which. */
  partlyLost: { from: number; to: number; dir: string }[];
  lostCount: number;
}

function directions(r: FailoverResult, arrivals: FailoverArrivals): Direction[] {
  const sides = [
    { name: `${r.bond.host} → ${r.peer}`, series: arrivals.aToB },
    { name: `${r.peer} → ${r.bond.host}`, series: arrivals.bToA },
  ];
  return sides.map(({ name, series }) => {
    const omitted = omittedSpans(series);
    const span = (o: OmittedSpan) => ({ from: o.fromMs, to: o.toMs, dir: name });
    return {
      name,
      points: delayPoints(series, MAX_POINTS_PER_DIRECTION).map((p) => ({ ...p, dir: name })),
      lost: lostRuns(series).map((l) => ({ from: l.from, to: l.to, dir: name })),
      omitted: omitted.map(span),
      partlyLost: omitted.filter((o) => o.lost > 0 && o.lost < o.probes).map(span),
      lostCount:
        series.delayMs.filter((d) => d === null).length +
        omitted.reduce((sum, o) => sum + o.lost, 0),
    };
  });
}

function domainOf(marks: readonly EventMark[], dirs: readonly Direction[]): [number, number] {
  const sent = dirs.flatMap((d) => [
    ...d.points.map((p) => p.t),
    ...d.lost.flatMap((l) => [l.from, l.to]),
  ]);
  const times = [...sent, ...marks.map((m) => m.t)];
  const lo = sent.length > 0 ? Math.min(...sent) : Math.min(...times);
  const hi = Math.max(...times);
  const pad = Math.max(10, (hi - lo) * 0.03);
  return [lo - (sent.length > 0 ? 0 : pad), hi + pad];
}

function xEncoding(domain: [number, number], axis: boolean) {
  return {
    field: 't',
    type: 'quantitative' as const,
    scale: { domain, nice: false, zero: false },
    axis: axis ? { title: 'ms since the fault' } : null,
  };
}

/** The rules of every mark, without labels: the delay and loss panels repeat them. */
function rulesLayer(
  name: string,
  marks: readonly EventMark[],
  domain: [number, number],
  axis = false,
) {
  return {
    name,
    data: { values: marks.map((m) => ({ t: m.t, color: m.color, width: m.width })) },
    mark: { type: 'rule' as const, clip: true, strokeDash: [4, 3] },
    encoding: {
      x: xEncoding(domain, axis),
      color: { field: 'color', type: 'nominal' as const, scale: null },
      strokeWidth: { field: 'width', type: 'quantitative' as const, scale: null },
    },
  };
}

/**
 * The labels in rows above the probes. Each label's rule starts just below it and runs down: a
 * label sits right of its rule (left of it near the right edge), and rows fill in time order, so
 * no rule crosses a later row's label.
 */
function eventsPanel(marks: EventMark[], domain: [number, number], axis: boolean) {
  const rows = layoutLabels(marks, domain, CHART_WIDTH);
  const height = rowsHeight(rows);
  const x = xEncoding(domain, axis);
  const labels = marks.map((m) => ({
    t: m.t,
    label: m.label,
    color: m.color,
    width: m.width,
    y: rowY(m.row),
    top: rowY(m.row) + 6,
    bottom: height,
  }));
  const pixels = (field: string) => ({ field, type: 'quantitative' as const, scale: null });
  const color = { field: 'color', type: 'nominal' as const, scale: null };
  const text = (align: 'left' | 'right') => ({
    name: `event_labels_${align}`,
    data: { values: labels.filter((_, i) => marks[i]?.align === align) },
    mark: {
      type: 'text' as const,
      align,
      baseline: 'middle' as const,
      dx: align === 'left' ? 3 : -3,
      fontSize: 10,
    },
    encoding: { x, y: pixels('y'), text: { field: 'label', type: 'nominal' as const }, color },
  });
  return {
    width: CHART_WIDTH,
    height,
    layer: [
      {
        name: 'event_rules',
        data: { values: labels },
        mark: { type: 'rule' as const, clip: true, strokeDash: [4, 3] },
        encoding: {
          x,
          y: pixels('top'),
          y2: { field: 'bottom' },
          color,
          strokeWidth: pixels('width'),
        },
      },
      text('left'),
      text('right'),
    ],
  };
}

function delayPanel(
  marks: readonly EventMark[],
  dirs: readonly Direction[],
  domain: [number, number],
) {
  return {
    width: CHART_WIDTH,
    height: DELAY_HEIGHT,
    layer: [
      {
        name: 'omitted_probes',
        data: { values: dirs.flatMap((d) => d.omitted) },
        mark: { type: 'rect' as const, clip: true, color: OMITTED_COLOR },
        encoding: { x: { ...xEncoding(domain, false), field: 'from' }, x2: { field: 'to' } },
      },
      rulesLayer('delay_rules', marks, domain),
      {
        name: 'probes',
        data: { values: dirs.flatMap((d) => d.points) },
        mark: { type: 'point' as const, filled: true, size: 9, opacity: 0.8, clip: true },
        encoding: {
          x: xEncoding(domain, false),
          y: {
            field: 'delay',
            type: 'quantitative' as const,
            scale: { type: 'symlog' as const },
            axis: { title: 'one-way delay (ms)' },
          },
          color: {
            field: 'dir',
            type: 'nominal' as const,
            scale: { domain: dirs.map((d) => d.name), range: [...PAIR_COLORS] },
            legend: { title: null },
          },
        },
      },
    ],
  };
}

function lostPanel(
  marks: readonly EventMark[],
  dirs: readonly Direction[],
  domain: [number, number],
) {
  const halfMs = (MIN_LOST_PX / 2) * ((domain[1] - domain[0]) / CHART_WIDTH);
  const rowName = (d: Direction): string => `${d.name}: ${d.lostCount} lost`;
  const widen = (spans: { from: number; to: number; dir: string }[], d: Direction) =>
    spans.map((s) => ({
      t: Math.min(s.from, (s.from + s.to) / 2 - halfMs),
      t2: Math.max(s.to, (s.from + s.to) / 2 + halfMs),
      dir: rowName(d),
    }));
  const y = {
    field: 'dir',
    type: 'nominal' as const,
    scale: { domain: dirs.map(rowName) },
    axis: { title: null, labelLimit: 260 },
  };
  const spans = (name: string, values: object[], color: string) => ({
    name,
    data: { values },
    mark: { type: 'rect' as const, clip: true, color },
    encoding: { x: xEncoding(domain, true), x2: { field: 't2' }, y },
  });
  return {
    width: CHART_WIDTH,
    height: LOST_ROW_PX * dirs.length,
    layer: [
      rulesLayer('loss_rules', marks, domain, true),
      spans(
        'partly_lost_probes',
        dirs.flatMap((d) => widen(d.partlyLost, d)),
        PARTLY_LOST_COLOR,
      ),
      spans(
        'lost_probes',
        dirs.flatMap((d) => widen(d.lost, d)),
        LOST_COLOR,
      ),
    ],
  };
}

/**
 * The failover timeline of one failover: the fault, its restore and the kernel's link events as
 * labelled rules over the probes sent around them — each direction's one-way delay, and below it
 * the runs of lost probes in red (grey where the series left probes out). Without arrivals (a
 * run.json written before they were kept) the chart shows the events alone and says so.
 */
export function failoverTimelineSpec(r: FailoverResult, note: string | undefined): TopLevelSpec {
  const arrivals = (r as Partial<Pick<FailoverResult, 'arrivals'>>).arrivals;
  const marks = eventMarks(r.events, r.fault, r.faultEvents);
  const dirs = arrivals === undefined ? [] : directions(r, arrivals);
  const domain = domainOf(marks, dirs);
  const thinned = dirs.some((d) => d.points.length >= MAX_POINTS_PER_DIRECTION);
  const subtitle = [
    arrivals === undefined
      ? 'No probe arrivals in this run (run.json from before they were kept): kernel events only.'
      : `Probes both ways, ${r.failover.rate} per second${thinned ? `; each point the longest delay of its stretch (at most ${MAX_POINTS_PER_DIRECTION} a direction)` : ''}; red: lost probes${dirs.some((d) => d.omitted.length > 0) ? '; shaded: probes run.json left out (pink below: some of them lost)' : ''}.`,
    ...(note === undefined ? [] : [note]),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CHART_CONFIG,
    title: { text: `Failover timeline: ${r.fault.describe}`, subtitle },
    vconcat:
      arrivals === undefined
        ? [eventsPanel(marks, domain, true)]
        : [
            eventsPanel(marks, domain, false),
            delayPanel(marks, dirs, domain),
            lostPanel(marks, dirs, domain),
          ],
    spacing: 4,
    resolve: { scale: { x: 'shared' } },
  };
}
