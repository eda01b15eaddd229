import {
  max,
  median,
  min,
  quantile,
  sampleStandardDeviation,
  sampleWithReplacement,
} from 'simple-statistics';

/** The summary every metric gets over its repetitions. */
export interface Summary {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
  /** Sample standard deviation; 0 for one sample. */
  stddev: number;
  /**
   * 95% confidence interval of the median: percentile bootstrap, 2000 resamples, seeded so a
   * report regenerated from the same samples says the same. With one sample it is that sample.
   */
  ci95: [number, number];
}

const RESAMPLES = 2000;

/** A small seeded generator (mulberry32): the bootstrap must be repeatable, not secret. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Summarizes samples of one metric; raises on none (there is nothing to say). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize: no samples');
  const values = [...samples];
  let ci95: [number, number] = [median(values), median(values)];
  if (values.length > 1) {
    const random = seeded(values.length * 7919);
    const medians: number[] = [];
    for (let i = 0; i < RESAMPLES; i++) {
      medians.push(median(sampleWithReplacement(values, values.length, random)));
    }
    ci95 = [quantile(medians, 0.025), quantile(medians, 0.975)];
  }
  return {
    n: values.length,
    median: round(median(values)),
    p95: round(quantile(values, 0.95)),
    min: round(min(values)),
    max: round(max(values)),
    stddev: round(values.length > 1 ? sampleStandardDeviation(values) : 0),
    ci95: [round(ci95[0]), round(ci95[1])],
  };
}
