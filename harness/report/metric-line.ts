import type { MetricResult } from '../scenario/result.js';

/** A value with its unit: `41.2 ms`, `50%`, `3`. */
export function withUnit(value: number, unit: string): string {
  return unit === '' || unit === '%' ? `${value}${unit}` : `${value} ${unit}`;
}

/** `failover.detection median 41.2 ms (95% CI 40.1..45.3 ms), p95 48 ms, ... n=5, lower is better`. */
export function metricLine(m: MetricResult): string {
  const s = m.summary;
  if (s === undefined) return `${m.name}: no samples`;
  const u = (x: number): string => withUnit(x, m.unit);
  return (
    `${m.name} median ${u(s.median)} (95% CI ${s.ci95[0]}..${u(s.ci95[1])}), p95 ${u(s.p95)}, ` +
    `min ${u(s.min)}, max ${u(s.max)}, stddev ${u(s.stddev)}, n=${s.n}, ${m.better} is better`
  );
}
