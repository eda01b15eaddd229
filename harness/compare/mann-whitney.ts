import { errorFunction } from 'simple-statistics';

/** The outcome of a two-sided Mann-Whitney U test of `x` against `y`. */
export interface MannWhitney {
  /** U of `x`: the pairs (x, y) with x > y, ties counting one half. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  /** `exact`: the permutation distribution of U; `normal`: its normal approximation. */
  method: 'exact' | 'normal';
}

/**
 * The exact distribution is computed for samples up to this product of sizes (50 × 50): its cost
 * grows as (m·n)², and beyond it the normal approximation is within a fraction of a percent.
 */
const EXACT_LIMIT = 2500;

/**
 * Two-sided Mann-Whitney U test. Exact (the permutation distribution of U) when the samples have
 * no ties and are small enough; otherwise the normal approximation with the tie correction of the
 * variance and a continuity correction of 0.5. Both agree with scipy's
 * `mannwhitneyu(x, y, alternative='two-sided', method='exact' | 'asymptotic')`.
 */
export function mannWhitney(x: readonly number[], y: readonly number[]): MannWhitney {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new RangeError('mannWhitney: a sample is empty');
  const { rankSumX, tieTerm } = rank(x, y);
  const u = rankSumX - (m * (m + 1)) / 2;
  // By symmetry of U's distribution, P(U >= max) is the one-sided tail on either side.
  const uMax = Math.max(u, m * n - u);
  if (tieTerm === 0 && m * n <= EXACT_LIMIT) {
    const pmf = exactDistribution(m, n);
    let tail = 0;
    for (let k = Math.ceil(uMax); k <= m * n; k++) tail += pmf[k] ?? 0;
    return { u, p: Math.min(1, 2 * tail), method: 'exact' };
  }
  const N = m + n;
  const variance = ((m * n) / 12) * (N + 1 - tieTerm / (N * (N - 1)));
  if (variance <= 0) return { u, p: 1, method: 'normal' }; // every value the same
  const z = (uMax - (m * n) / 2 - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * upperNormalTail(z)), method: 'normal' };
}

/**
 * The smallest two-sided p any test of U can give for samples of sizes m and n: the two extreme
 * orderings out of C(m+n, m). When it is not below alpha, no data can make the test significant.
 */
export function smallestP(m: number, n: number): number {
  // 2 / C(m+n, m), as a running product so that it neither overflows nor loses precision.
  let p = 2;
  for (let i = 1; i <= Math.min(m, n); i++) p *= i / (Math.max(m, n) + i);
  return Math.min(1, p);
}

/** Rank sum of x in the pooled sample (ties get their mean rank), and Σ(t³ − t) over the ties. */
function rank(x: readonly number[], y: readonly number[]): { rankSumX: number; tieTerm: number } {
  const pooled = [
    ...x.map((value) => ({ value, fromX: true })),
    ...y.map((value) => ({ value, fromX: false })),
  ].sort((a, b) => a.value - b.value);
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < pooled.length;) {
    let j = i;
    while (j + 1 < pooled.length && pooled[j + 1]?.value === pooled[i]?.value) j++;
    const t = j - i + 1;
    const meanRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (pooled[k]?.fromX === true) rankSumX += meanRank;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  return { rankSumX, tieTerm };
}

/**
 * P(U = u), u = 0..m·n, when all orderings of the pooled sample are equally likely. The largest
 * value is an x with probability i/(i+j), and then it beats all j y's; else it beats nothing:
 *   p[i][j](u) = i/(i+j) · p[i-1][j](u - j) + j/(i+j) · p[i][j-1](u).
 * Probabilities rather than counts: C(100, 50) would not fit a double's integers.
 */
function exactDistribution(m: number, n: number): Float64Array {
  let previous: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1)); // i = 0
  for (let i = 1; i <= m; i++) {
    const row: Float64Array[] = [Float64Array.of(1)]; // j = 0: U is 0
    for (let j = 1; j <= n; j++) {
      const p = new Float64Array(i * j + 1);
      const left = previous[j] ?? Float64Array.of(1);
      const down = row[j - 1] ?? Float64Array.of(1);
      for (let u = 0; u < left.length; u++)
        p[u + j] = (p[u + j] ?? 0) + ((left[u] ?? 0) * i) / (i + j);
      for (let u = 0; u < down.length; u++) p[u] = (p[u] ?? 0) + ((down[u] ?? 0) * j) / (i + j);
      row.push(p);
    }
    previous = row;
  }
  return previous[n] ?? Float64Array.of(1);
}

/** P(Z > z) for a standard normal Z (simple-statistics' erf: within 1.2e-7). */
function upperNormalTail(z: number): number {
  return 0.5 * (1 - errorFunction(z / Math.SQRT2));
}
