import { toMicros } from './clock.js';
import type { DirectionCapture, ProbeCapture } from './probe.js';
import type { ArrivalSeries, OmittedSpan } from './series.js';

/**
 * Probes kept per direction by default. run.json is indented, one array element a line, so a
 * probe costs ~58 bytes there (~14 without the indentation): two directions of 800 stay under
 * 100 KB per failover (measured: 1000 took 116 KB).
 */
export const MAX_ARRIVALS = 800;

/** Which probes of a capture go into a series, on the capture's monotonic clock. */
export interface ArrivalWindow {
  /** The fault: the series' times are relative to it. */
  faultAtMs: number;
  /** Probes sent from here on (inclusive)... */
  fromMs: number;
  /** ...and before here. */
  untilMs: number;
  /** Other moments whose neighbourhood must survive truncation (the restore). */
  marksMs?: readonly number[];
  /** At most this many probes; default MAX_ARRIVALS. */
  maxProbes?: number;
}

/**
 * The probes of one direction sent within a window, each with its one-way delay (first arrival
 * counts; duplicates and reordering change nothing) or null when it never arrived. When the window
 * holds more than `maxProbes`, those farthest (in probes) from anything that happened are left out:
 * a change between arriving and lost, the fault, a mark, the window's ends. So the middle of a
 * long outage or of a long calm goes first, and every edge stays.
 */
export function arrivalSeries(d: DirectionCapture, window: ArrivalWindow): ArrivalSeries {
  const max = window.maxProbes ?? MAX_ARRIVALS;
  const arrival = firstArrivals(d);
  const seqs: number[] = [];
  d.txMs.forEach((tx, seq) => {
    if (tx >= window.fromMs && tx < window.untilMs) seqs.push(seq);
  });
  const tx = seqs.map((seq) => d.txMs[seq] ?? 0);
  const lost = seqs.map((seq) => Number.isNaN(arrival[seq] ?? Number.NaN));
  const kept = seqs.length <= max ? undefined : pickKept(tx, lost, window, max);
  const sentMs: number[] = [];
  const delayMs: (number | null)[] = [];
  const omitted: OmittedSpan[] = [];
  let span: OmittedSpan | undefined;
  seqs.forEach((seq, i) => {
    const since = toMicros((tx[i] ?? 0) - window.faultAtMs);
    if (kept !== undefined && kept[i] !== 1) {
      span ??= { fromMs: since, toMs: since, probes: 0, lost: 0 };
      span.toMs = since;
      span.probes++;
      if (lost[i] === true) span.lost++;
      return;
    }
    if (span !== undefined) omitted.push(span);
    span = undefined;
    sentMs.push(since);
    delayMs.push(lost[i] === true ? null : toMicros((arrival[seq] ?? 0) - (tx[i] ?? 0)));
  });
  if (span !== undefined) omitted.push(span);
  return { sentMs, delayMs, truncated: omitted.length > 0, omitted };
}

/** Each probe's first arrival time, NaN for the lost. */
function firstArrivals(d: DirectionCapture): Float64Array {
  const arrival = new Float64Array(d.txMs.length).fill(Number.NaN);
  d.rxSeq.forEach((seq, i) => {
    if (seq < 0 || seq >= arrival.length || !Number.isNaN(arrival[seq] ?? 0)) return;
    arrival[seq] = d.rxMs[i] ?? Number.NaN;
  });
  return arrival;
}

/**
 * Marks (1) the `max` probes nearest, counted in probes, to an event: a probe whose neighbour's
 * fate differs from its own, the first probe sent from the fault or a mark on, the window's first
 * and last. Ties go to the probe sent closer to the fault.
 */
function pickKept(
  tx: readonly number[],
  lost: readonly boolean[],
  window: ArrivalWindow,
  max: number,
): Uint8Array {
  const n = tx.length;
  const distance = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  for (let i = 1; i < n; i++) {
    if (lost[i] !== lost[i - 1]) {
      distance[i - 1] = 0;
      distance[i] = 0;
    }
  }
  for (const at of [window.faultAtMs, ...(window.marksMs ?? [])]) {
    const i = tx.findIndex((t) => t >= at);
    distance[i < 0 ? n - 1 : i] = 0;
  }
  // The window's edges too, so the calm before the fault shows, and the series spans the window.
  distance[0] = 0;
  distance[n - 1] = 0;
  for (let i = 1; i < n; i++) distance[i] = Math.min(distance[i] ?? 0, (distance[i - 1] ?? 0) + 1);
  for (let i = n - 2; i >= 0; i--)
    distance[i] = Math.min(distance[i] ?? 0, (distance[i + 1] ?? 0) + 1);
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (x, y) =>
      (distance[x] ?? 0) - (distance[y] ?? 0) ||
      Math.abs((tx[x] ?? 0) - window.faultAtMs) - Math.abs((tx[y] ?? 0) - window.faultAtMs) ||
      x - y,
  );
  const kept = new Uint8Array(n);
  for (const i of order.slice(0, max)) kept[i] = 1;
  return kept;
}

/** Both directions of a failover's probes, as the timeline chart shows them. */
export interface FailoverArrivals {
  aToB: ArrivalSeries;
  bToA: ArrivalSeries;
}

/**
 * A failover's probes from `leadMs` before the fault to the end of the capture (the failback
 * window included), at most `maxProbes` per direction.
 */
export function failoverArrivals(
  capture: ProbeCapture,
  at: { faultAtMs: number; restoreAtMs: number | undefined; leadMs: number; maxProbes?: number },
): FailoverArrivals {
  const window: ArrivalWindow = {
    faultAtMs: at.faultAtMs,
    fromMs: at.faultAtMs - at.leadMs,
    untilMs: capture.stoppedAtMs,
    marksMs: at.restoreAtMs === undefined ? [] : [at.restoreAtMs],
    ...(at.maxProbes === undefined ? {} : { maxProbes: at.maxProbes }),
  };
  return { aToB: arrivalSeries(capture.aToB, window), bToA: arrivalSeries(capture.bToA, window) };
}
