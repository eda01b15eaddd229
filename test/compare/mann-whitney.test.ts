import t, { type Test } from 'tap';
import { mannWhitney, smallestP } from '../../harness/compare/mann-whitney.js';

// Reference figures: published ones where there are (R's wilcox.test example, from Hollander &
// Wolfe), and otherwise scipy 1.17.1's
//   scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='exact' | 'asymptotic')
// (continuity correction on, the default), printed with repr() and checked here to 1e-6 (the
// normal tail uses simple-statistics' erf, good to 1.2e-7).

const close = (t: Test, actual: number, expected: number, what: string): void => {
  t.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≈ ${expected}`);
};

void t.test('complete separation: exact p is 2 / C(10, 5)', async (t) => {
  const r = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  t.equal(r.method, 'exact');
  t.equal(r.u, 0);
  close(t, r.p, 2 / 252, 'p'); // scipy: 0.007936507936507936
  t.equal(mannWhitney([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).u, 25, 'U of the other side: m·n − U');
  close(t, mannWhitney([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).p, 2 / 252, 'two-sided: the same p');
});

void t.test(
  "Hollander & Wolfe's permeability data (R's wilcox.test example): W = 35, p = 0.2544",
  async (t) => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const r = mannWhitney(x, y);
    t.equal(r.method, 'exact', 'no ties: exact');
    t.equal(r.u, 35);
    close(t, r.p, 0.2544122544122544, 'p (R prints 0.2544, scipy exact 0.2544122544122544)');
  },
);

void t.test('a small exact case: U = 17 of 20, p = 1/9', async (t) => {
  const r = mannWhitney([19, 22, 16, 29, 24], [20, 11, 17, 12]);
  t.equal(r.u, 17);
  close(t, r.p, 0.1111111111111111, 'p');
});

void t.test('10 against 12, no ties: exact as scipy method=exact', async (t) => {
  const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
  const y = [1.15, 0.88, 0.9, 0.74, 1.21, 1.02, 1.11, 1.32, 1.09, 0.99, 0.85, 1.13];
  const r = mannWhitney(x, y);
  t.equal(r.method, 'exact');
  t.equal(r.u, 80);
  close(t, r.p, 0.20296731132644447, 'p');
});

void t.test('30 against 40, no ties: still exact, as scipy method=exact', async (t) => {
  // numpy default_rng(1): normal(100, 10) × 30 and normal(106, 10) × 40, rounded to 0.001.
  const a = [
    103.456, 108.216, 103.304, 86.968, 109.054, 104.464, 94.63, 105.811, 103.646, 102.941, 100.284,
    105.467, 92.635, 98.371, 95.179, 105.988, 100.397, 97.075, 92.181, 97.428, 100.081, 97.244,
    112.941, 110.067, 72.888, 81.11, 98.252, 95.778, 102.136, 102.173,
  ];
  const b = [
    127.178, 94.88, 102.224, 126.428, 112.467, 112.631, 100.86, 89.519, 107.675, 107.09, 93.726,
    99.168, 105.28, 96.552, 105.017, 106.955, 106.356, 100.937, 111.937, 114.912, 109.208, 97.818,
    113.317, 100.986, 114.792, 95.282, 115.145, 105.799, 93.513, 102.861, 106.541, 108.728, 96.178,
    94.926, 107.996, 101.333, 108.355, 113.595, 89.512, 108.544,
  ];
  const r = mannWhitney(a, b);
  t.equal(r.method, 'exact');
  t.equal(r.u, 393);
  close(t, r.p, 0.013590944839490514, 'p (scipy asymptotic would say 0.01426)');
});

void t.test(
  'ties: the normal approximation, tie-corrected, with continuity correction',
  async (t) => {
    const r = mannWhitney([1, 2, 2, 3, 4], [2, 3, 3, 5, 6, 7]);
    t.equal(r.method, 'normal');
    t.equal(r.u, 6);
    close(t, r.p, 0.11390314458853068, 'p');
    // R's paired wilcox.test example (Hollander & Wolfe's depression scores), taken as two samples.
    const depression = mannWhitney(
      [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3],
      [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29],
    );
    t.equal(depression.method, 'normal', 'ties across the pooled sample (1.06, 1.29)');
    t.equal(depression.u, 58);
    close(t, depression.p, 0.13291945818531892, 'p');
  },
);

void t.test('every value the same: p = 1', async (t) => {
  t.same(mannWhitney([5, 5, 5], [5, 5, 5, 5]), { u: 6, p: 1, method: 'normal' });
});

void t.test('an empty sample is a programming error', async (t) => {
  t.throws(() => mannWhitney([], [1]), RangeError);
});

void t.test('smallestP: 2 / C(m+n, m), the exact test at complete separation', async (t) => {
  t.equal(smallestP(3, 3), 0.1, '3 and 3: 2/20, never below 0.05');
  close(t, smallestP(3, 4), 2 / 35, '3 and 4');
  close(t, smallestP(3, 5), 2 / 56, '3 and 5: below 0.05');
  close(t, smallestP(4, 4), 2 / 70, '4 and 4');
  close(t, smallestP(8, 8), 2 / 12870, '8 and 8');
  t.equal(smallestP(1, 1), 1, '1 and 1: 2/2');
  for (const [m, n] of [
    [3, 3],
    [4, 6],
    [8, 8],
  ] as const) {
    const low = Array.from({ length: m }, (_, i) => i);
    const high = Array.from({ length: n }, (_, i) => 100 + i);
    close(t, mannWhitney(low, high).p, smallestP(m, n), `the exact test reaches it at ${m}/${n}`);
  }
});
