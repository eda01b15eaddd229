/**
 * Time series kept in results for charts: they show what the summary figures summarise. Times are
 * milliseconds relative to an anchor the owner names (the fault for a failover, the start of the
 * clients for throughput).
 */

/** Probes of one direction sent around a fault: when each was sent, and what became of it. */
export interface ArrivalSeries {
  /** Send time of each probe, ms since the fault (negative: before it), ascending. */
  sentMs: number[];
  /** Its one-way delay in ms, or null when it was lost. Same length as `sentMs`. */
  delayMs: (number | null)[];
  /** True when probes were left out to keep the series short (the middle of a long outage is). */
  truncated: boolean;
  /**
   * Where probes were left out, in send order: a chart can mark these spans rather than show them
   * as a silence. Empty (or absent, in series written before it existed) when nothing was.
   */
  omitted?: OmittedSpan[];
}

/** A stretch of consecutive probes left out of an ArrivalSeries. */
export interface OmittedSpan {
  /** Send times of the first and last probe left out, ms since the fault. */
  fromMs: number;
  toMs: number;
  /** How many were left out, and how many of those were lost. */
  probes: number;
  lost: number;
}

/** Per-interface transmitted and received bytes over time, sampled from the kernel's counters. */
export interface CounterSeries {
  /** Sample times, ms since the anchor, ascending. */
  atMs: number[];
  /** Per interface: bits per second over the interval ending at each sample (first is 0). */
  txBitsPerSecond: Record<string, number[]>;
  rxBitsPerSecond: Record<string, number[]>;
  intervalMs: number;
}
