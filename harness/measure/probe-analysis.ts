import { max, mean, quantileSorted } from 'simple-statistics';
import { toMicros } from './clock.js';
import type { DirectionCapture, ProbeCapture } from './probe.js';

/** Where to look for the outage: arrivals after `faultAtMs`, gaps that start before `untilMs`. */
export interface OutageWindow {
  faultAtMs: number;
  untilMs?: number;
}

export interface Distribution {
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** The data-plane view of one direction of a probe stream. */
export interface DirectionResult {
  sent: number;
  /** Distinct probes that arrived. */
  received: number;
  lost: number;
  duplicated: number;
  /** Probes that arrived after a probe sent later than them. */
  reordered: number;
  sendErrors: number;
  /** The send interval actually achieved (the resolution of every figure below). */
  intervalMs: Distribution & { nominal: number };
  /** Arrival time minus send time. */
  oneWayMs: Distribution | undefined;
  outage: Outage | undefined;
}

/**
 * The longest run of lost probes around the fault. It is timed by the probes' send times, which a
 * stalled receiver cannot blur: the path was dead from some moment after the last probe that got
 * through (`p`) was sent, until some moment before the first that got through again (`q`). So the
 * outage lies between the inner span (first to last lost probe) and the outer span (p to q); the
 * estimate is their midpoint and the uncertainty half their difference, one probe interval when
 * sending keeps pace.
 */
export interface Outage {
  outageMs: number;
  /** ± around outageMs: what the probe can resolve here. */
  uncertaintyMs: number;
  /** Send times of the last probe through before and the first through after, monotonic ms. */
  lastBeforeSentMs: number;
  firstAfterSentMs: number | undefined;
  /** The silence as the receiver saw it: first arrival after minus last arrival before. */
  arrivalGapMs: number;
  /** Fault to the arrival of the first probe that got through after it. */
  faultToFirstMs: number | undefined;
  /** Probes lost in the run. */
  lost: number;
  /** False when nothing got through after the fault before the window closed or the stream stopped. */
  recovered: boolean;
}

function distribution(values: number[]): Distribution | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((x, y) => x - y);
  return {
    mean: toMicros(mean(values)),
    p50: toMicros(quantileSorted(sorted, 0.5)),
    p99: toMicros(quantileSorted(sorted, 0.99)),
    max: toMicros(max(values)),
  };
}

/** Analyses one direction; with a window, finds the outage around the fault. */
export function analyseDirection(
  d: DirectionCapture,
  rate: number,
  stoppedAtMs: number,
  window?: OutageWindow,
): DirectionResult {
  const sent = d.txMs.length;
  const seen = new Uint8Array(sent);
  // First arrival time of each probe, NaN for the lost.
  const arrivalOf = new Float64Array(sent).fill(Number.NaN);
  let duplicated = 0;
  let reordered = 0;
  let highest = -1;
  const oneWay: number[] = [];
  let received = 0;
  for (let i = 0; i < d.rxSeq.length; i++) {
    const seq = d.rxSeq[i] ?? -1;
    const at = d.rxMs[i] ?? 0;
    if (seq < 0 || seq >= sent) continue;
    if (seen[seq] === 1) {
      duplicated++;
      continue;
    }
    seen[seq] = 1;
    arrivalOf[seq] = at;
    if (seq < highest) reordered++;
    highest = Math.max(highest, seq);
    received++;
    oneWay.push(at - (d.txMs[seq] ?? at));
  }
  const gaps: number[] = [];
  for (let i = 1; i < sent; i++) gaps.push((d.txMs[i] ?? 0) - (d.txMs[i - 1] ?? 0));
  const nominal = 1000 / rate;
  const interval = {
    nominal,
    ...(distribution(gaps) ?? { mean: nominal, p50: nominal, p99: nominal, max: nominal }),
  };
  return {
    sent,
    received,
    lost: sent - received,
    duplicated,
    reordered,
    sendErrors: d.sendErrors,
    intervalMs: interval,
    oneWayMs: distribution(oneWay),
    outage: window === undefined ? undefined : findOutage(d, arrivalOf, stoppedAtMs, window),
  };
}

function findOutage(
  d: DirectionCapture,
  arrivalOf: Float64Array,
  stoppedAtMs: number,
  window: OutageWindow,
): Outage | undefined {
  const tx = d.txMs;
  // Probes sent from the next window on belong to the next fault.
  const end = Math.min(window.untilMs ?? Number.POSITIVE_INFINITY, stoppedAtMs);
  let best: { p: number; q: number | undefined; outer: number } | undefined;
  let p = -1;
  for (let seq = 0; seq <= tx.length; seq++) {
    const sentAt = tx[seq];
    const inWindow = sentAt !== undefined && sentAt < end;
    const through = inWindow && !Number.isNaN(arrivalOf[seq] ?? Number.NaN);
    if (inWindow && !through) continue;
    // seq is the first probe through after p (or the window closed): a run of losses if seq > p+1.
    const q = through ? seq : undefined;
    const endsAfterFault = q === undefined || (tx[q] ?? 0) > window.faultAtMs;
    if (p >= 0 && (q ?? seq) > p + 1 && endsAfterFault) {
      const outer = (q === undefined ? end : (tx[q] ?? end)) - (tx[p] ?? 0);
      if (best === undefined || outer > best.outer) best = { p, q, outer };
    }
    if (!inWindow) break;
    p = seq;
  }
  if (best === undefined) return undefined;
  const { q, outer } = best;
  const lastLost = (q ?? tx.findIndex((t) => t >= end)) - 1;
  const lostEnd = lastLost < 0 ? tx.length - 1 : lastLost;
  const inner = (tx[lostEnd] ?? 0) - (tx[best.p + 1] ?? 0);
  const lastBefore = arrivalOf[best.p] ?? 0;
  const firstAfter = q === undefined ? undefined : arrivalOf[q];
  return {
    outageMs: toMicros((inner + outer) / 2),
    uncertaintyMs: toMicros((outer - inner) / 2),
    lastBeforeSentMs: tx[best.p] ?? 0,
    firstAfterSentMs: q === undefined ? undefined : tx[q],
    arrivalGapMs: toMicros((firstAfter ?? end) - lastBefore),
    faultToFirstMs: firstAfter === undefined ? undefined : toMicros(firstAfter - window.faultAtMs),
    lost: lostEnd - best.p,
    recovered: q !== undefined,
  };
}

/** Both directions of a capture, and the worse of the two outages (what a user feels). */
export interface ProbeResult {
  rate: number;
  family: 4 | 6;
  aToB: DirectionResult;
  bToA: DirectionResult;
  outageMs: number | undefined;
  lost: number;
}

export function analyseProbe(capture: ProbeCapture, window?: OutageWindow): ProbeResult {
  const aToB = analyseDirection(capture.aToB, capture.rate, capture.stoppedAtMs, window);
  const bToA = analyseDirection(capture.bToA, capture.rate, capture.stoppedAtMs, window);
  const outages = [aToB.outage?.outageMs, bToA.outage?.outageMs].filter(
    (o): o is number => o !== undefined,
  );
  return {
    rate: capture.rate,
    family: capture.family,
    aToB,
    bToA,
    outageMs: outages.length === 0 ? undefined : Math.max(...outages),
    lost: aToB.lost + bToA.lost,
  };
}
