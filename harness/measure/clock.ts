/**
 * One clock for every timestamp of a measurement: CLOCK_MONOTONIC, in milliseconds. Every process
 * on a kernel (the harness, the probe agents in their namespaces) reads the same monotonic clock,
 * so their timestamps compare directly, across namespaces.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Wall clock minus monotonic clock, in ms, to place wall-clock timestamps (`ip -ts monitor`) on the
 * monotonic axis. performance.timeOrigin is the wall clock at the moment performance.now() was 0,
 * read with microsecond precision; Date.now() would only give milliseconds.
 */
export function wallMinusMonotonicMs(): number {
  return performance.timeOrigin + performance.now() - monotonicMs();
}

/** Rounds a time in ms to the microsecond, for storage. */
export function toMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
