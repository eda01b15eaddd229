/**
 * Benjamini-Hochberg adjusted p-values (q-values): p_(i) · m / i, made monotone from the largest
 * down, capped at 1, in the input's order. A comparison tests every metric of every case at once;
 * at alpha 0.05 per metric, 40 metrics that did not change still give two "significant" ones on
 * average, and most of those also clear the thresholds (on real UML runs, 6 comparisons in 10 of
 * unchanged runs flagged something). Comparing q with alpha bounds the expected share of false
 * findings among all findings by alpha, and when nothing changed, the chance of any by alpha.
 */
export function benjaminiHochberg(p: readonly number[]): number[] {
  const m = p.length;
  const order = p.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const q = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const entry = order[rank - 1];
    if (entry === undefined) continue;
    running = Math.min(running, (entry.value * m) / rank);
    q[entry.index] = running;
  }
  return q;
}
