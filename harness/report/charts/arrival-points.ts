import type { ArrivalSeries, OmittedSpan } from '../../measure/series.js';

/** One probe drawn: when it was sent (ms since the fault) and its one-way delay. */
export interface DelayPoint {
  t: number;
  delay: number;
}

/** A run of lost probes, from the first one's send time to the last one's. */
export interface LostRun {
  from: number;
  to: number;
  probes: number;
}

/**
 * At most `max` delivered probes: over `max` equal buckets of send time, the one with the longest
 * delay in each. A spike stays; the flat calm thins out. The picture is the point of a chart, and
 * 2000 symbols would make a report of megabytes.
 */
export function delayPoints(series: ArrivalSeries, max: number): DelayPoint[] {
  const all: DelayPoint[] = [];
  series.sentMs.forEach((t, i) => {
    const delay = series.delayMs[i];
    if (delay !== null && delay !== undefined) all.push({ t, delay });
  });
  const first = all[0];
  const last = all[all.length - 1];
  if (all.length <= max || first === undefined || last === undefined) return all;
  const width = (last.t - first.t) / max;
  const buckets = new Map<number, DelayPoint>();
  for (const p of all) {
    const b = Math.min(max - 1, Math.floor((p.t - first.t) / width));
    const kept = buckets.get(b);
    if (kept === undefined || p.delay > kept.delay) buckets.set(b, p);
  }
  return [...buckets.values()];
}

/** The spans where probes were left out of the series, in series written before they were listed: none. */
export function omittedSpans(series: ArrivalSeries): OmittedSpan[] {
  return series.omitted ?? [];
}

/**
 * Consecutive lost probes as runs. A run goes on across probes left out of the series when all of
 * those were lost too, and ends where some of them arrived.
 */
export function lostRuns(series: ArrivalSeries): LostRun[] {
  const omitted = omittedSpans(series);
  const runs: LostRun[] = [];
  let run: LostRun | undefined;
  for (const [i, t] of series.sentMs.entries()) {
    if (series.delayMs[i] !== null) {
      if (run !== undefined) runs.push(run);
      run = undefined;
      continue;
    }
    if (run !== undefined) {
      const after = run.to;
      const between = omitted.filter((s) => s.fromMs > after && s.toMs < t);
      if (between.every((s) => s.lost === s.probes)) {
        run.to = t;
        run.probes += 1 + between.reduce((sum, s) => sum + s.probes, 0);
        continue;
      }
      runs.push(run);
    }
    run = { from: t, to: t, probes: 1 };
  }
  if (run !== undefined) runs.push(run);
  return runs;
}
