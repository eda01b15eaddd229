import type { Thresholds } from './types.js';

/**
 * Below this, a difference is not tested at all; and at it, five in a hundred metrics that did
 * not change still come out "significant". The thresholds stop those: a regression needs the test
 * AND a change that matters.
 */
export const DEFAULT_ALPHA = 0.05;

/**
 * The thresholds a metric gets when the thresholds file says nothing about it, by unit. Each
 * threshold is what a change must exceed to count; both must be exceeded.
 */
const BY_UNIT: Readonly<Record<string, Omit<Thresholds, 'alpha'>>> = {
  // Failover times. 20%: a detection of ~100 ms (miimon 100) varies by a few tens of percent
  // between repetitions in a guest, and its median over 8 by less; 20% is a real change (a miimon
  // of 100 turning into 120). 10 ms: a UML guest's timers tick every 10 ms, so a median one tick
  // away is the clock's grain, not the kernel's behaviour; a 10 ms floor also keeps outages of a
  // few ms (where 20% is a fraction of a millisecond) from raising anything.
  ms: { relative: 0.2, absolute: 10 },
  // Lost, reordered, duplicated probes: counts, so an absolute threshold alone. The agent sends
  // 1000 probes/s each way, so 20 probes are 10 ms of outage: the same floor as the times.
  probes: { relative: 0, absolute: 20 },
  // Failbacks and slaves out: small integers. 0.5 means the median moved by a whole one (a
  // median of an even count can sit half-way, which alone does not count).
  events: { relative: 0, absolute: 0.5 },
  slaves: { relative: 0, absolute: 0.5 },
  // Throughput over links shaped to 100 Mbit/s: iperf3's aggregate varies by 1-2% between runs;
  // 5% is a real loss. 2 Mbit/s keeps slow links (a degraded 10 Mbit/s one, where 5% is
  // 0.5 Mbit/s) from flagging changes of a few packets.
  'Mbit/s': { relative: 0.05, absolute: 2 },
  // The same during a failover, measured in Gbit/s (2 Mbit/s is 0.002 Gbit/s).
  'Gbit/s': { relative: 0.05, absolute: 0.002 },
  // TCP retransmits: bursty counts (tens to hundreds in 2 s on a shaped link); only a doubling-ish
  // change, and at least 20 segments, says something.
  segments: { relative: 0.5, absolute: 20 },
  // Shares in percent (busiest slave): points, not relative; counters read over a 2 s flow move
  // by a point or two.
  '%': { relative: 0, absolute: 5 },
};

/** A unit no one told us about: a 10% change with no floor (only the test and the percentage). */
const FALLBACK: Omit<Thresholds, 'alpha'> = { relative: 0.1, absolute: 0 };

/** The built-in thresholds of a metric of this unit. */
export function defaultThresholds(unit: string): Thresholds {
  return { ...(BY_UNIT[unit] ?? FALLBACK), alpha: DEFAULT_ALPHA };
}

/** Every unit with a default of its own, for the help text and the README. */
export function defaultThresholdTable(): { unit: string; thresholds: Thresholds }[] {
  return Object.keys(BY_UNIT).map((unit) => ({ unit, thresholds: defaultThresholds(unit) }));
}
