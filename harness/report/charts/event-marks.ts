import type { FaultEvent } from '../../faults/fault.js';
import type { TimelineEvent } from '../../measure/failover.js';

/** A vertical rule on the timeline and its label. */
export interface EventMark {
  /** ms since the fault. */
  t: number;
  label: string;
  /** The rule's and label's colour. */
  color: string;
  /** Fault and restore are drawn bold. */
  width: number;
  /** Laid out by `layoutLabels`: the label's row, and its alignment (left: it starts at the rule). */
  row: number;
  align: 'left' | 'right';
}

const FAULT_COLOR = '#d62728';
const RESTORE_COLOR = '#2ca02c';
const FAILOVER_COLOR = '#9467bd';
const EVENT_COLOR = '#777777';

/** A label's width in px at the charts' 10 px font: an upper estimate, so labels never touch. */
const CHAR_PX = 6;
const ROW_PX = 13;
const MAX_ROWS = 8;

function kindText(e: TimelineEvent): string {
  return e.detail === undefined ? e.kind : `${e.kind} ${e.detail}`;
}

/**
 * The fault, its restore and the kernel's link events as rules. Events of one interface at the
 * same moment (carrier-down and slave-down, say) share one rule: `eth0 carrier-down, slave-down`.
 * The harness's own monitor marks are left out.
 */
export function eventMarks(
  events: readonly TimelineEvent[],
  fault: { kind: string; target: string },
  faultEvents: readonly FaultEvent[],
): EventMark[] {
  const marks: EventMark[] = [];
  const injected = faultEvents.find((f) => f.action === 'inject');
  const restored = faultEvents.find((f) => f.action === 'restore');
  const base = { row: 0, align: 'left' as const };
  marks.push({
    t: 0,
    label: `fault: ${fault.kind} ${fault.target}`,
    color: FAULT_COLOR,
    width: 2,
    ...base,
  });
  if (injected !== undefined && restored !== undefined) {
    const t = restored.atMs - injected.atMs;
    marks.push({ t, label: 'restore', color: RESTORE_COLOR, width: 2, ...base });
  }
  const byMoment = new Map<
    string,
    { t: number; ifname: string; kinds: string[]; failover: boolean }
  >();
  for (const e of events) {
    if (e.kind === 'marker') continue;
    const key = `${e.sinceFaultMs.toFixed(3)} ${e.ifname}`;
    const at = byMoment.get(key) ?? {
      t: e.sinceFaultMs,
      ifname: e.ifname,
      kinds: [],
      failover: false,
    };
    at.kinds.push(kindText(e));
    at.failover ||= e.kind === 'failover';
    byMoment.set(key, at);
  }
  for (const m of byMoment.values()) {
    marks.push({
      t: m.t,
      label: `${m.ifname} ${m.kinds.join(', ')}`,
      color: m.failover ? FAILOVER_COLOR : EVENT_COLOR,
      width: 1,
      ...base,
    });
  }
  return marks.sort((a, b) => a.t - b.t);
}

/**
 * Puts each label in the first row where it clears the labels before it, on the right of its rule,
 * or on the left near the chart's right edge. Returns the rows used. Beyond MAX_ROWS labels share
 * the last row rather than push the chart down without end.
 */
export function layoutLabels(
  marks: EventMark[],
  domain: readonly [number, number],
  widthPx: number,
): number {
  const pxPerMs = widthPx / (domain[1] - domain[0]);
  const rowEnds: number[] = [];
  for (const m of marks) {
    const x = (m.t - domain[0]) * pxPerMs;
    const w = m.label.length * CHAR_PX + 4;
    m.align = x + w > widthPx ? 'right' : 'left';
    const start = m.align === 'left' ? x : x - w;
    let row = rowEnds.findIndex((end) => end < start);
    if (row < 0) row = rowEnds.length < MAX_ROWS ? rowEnds.length : MAX_ROWS - 1;
    rowEnds[row] = Math.max(rowEnds[row] ?? 0, start + w);
    m.row = row;
  }
  return Math.max(1, rowEnds.length);
}

/** The y of a label row, in px from the top of the events panel. */
export function rowY(row: number): number {
  return row * ROW_PX + ROW_PX / 2 + 2;
}

/** The events panel's height for this many rows. */
export function rowsHeight(rows: number): number {
  return rows * ROW_PX + 4;
}
