import { summarize, type Summary } from './stats.js';

/** One number a measurement yields, and which way is better. */
export interface Metric<R> {
  name: string;
  unit: string;
  better: 'lower' | 'higher';
  read: (result: R) => number | undefined;
}

export interface MetricSamples {
  name: string;
  unit: string;
  better: 'lower' | 'higher';
  /** One per repetition that yielded a value. */
  samples: number[];
  summary: Summary | undefined;
}

export interface Repeated<R> {
  results: R[];
  metrics: MetricSamples[];
}

/**
 * Runs a measurement `count` times, one after the other (never in parallel: they would share the
 * CPU and disturb each other), and gives each metric its samples and their summary.
 */
export async function repeatMeasurement<R>(
  count: number,
  measure: (index: number) => Promise<R>,
  metrics: readonly Metric<R>[],
  signal?: AbortSignal,
): Promise<Repeated<R>> {
  const results: R[] = [];
  for (let i = 0; i < count; i++) {
    signal?.throwIfAborted();
    results.push(await measure(i));
  }
  return { results, metrics: summarizeMetrics(results, metrics) };
}

/** Each metric's samples over `results`, and their summary (none when no result yielded it). */
export function summarizeMetrics<R>(
  results: readonly R[],
  metrics: readonly Metric<R>[],
): MetricSamples[] {
  return metrics.map((m) => {
    const samples = results.map(m.read).filter((v): v is number => v !== undefined);
    return {
      name: m.name,
      unit: m.unit,
      better: m.better,
      samples,
      summary: samples.length === 0 ? undefined : summarize(samples),
    };
  });
}
