import t from 'tap';
import { benjaminiHochberg } from '../../harness/compare/adjust.js';

// Figures from scipy 1.17.1's scipy.stats.false_discovery_control(p) (method 'bh'), which agree
// with R's p.adjust(p, "BH").

const near = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((x, i) => Math.abs(x - (b[i] ?? NaN)) < 1e-12);

void t.test(
  "Benjamini & Hochberg's (1995) 15 p-values: the first 4 discovered at 0.05",
  async (t) => {
    const p = [
      0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719,
      0.6528, 0.759, 1.0,
    ];
    const q = benjaminiHochberg(p);
    const expected = [
      0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714285714286, 0.06385714285714286, 0.0645,
      0.0765, 0.486, 0.5811818181818181, 0.7148749999999999, 0.7532307692307693, 0.8132142857142857,
      1.0,
    ];
    t.ok(near(q, expected), q.join(', '));
    t.equal(q.filter((x) => x < 0.05).length, 4, 'as in the paper');
  },
);

void t.test('the input order is kept; ties and a single p', async (t) => {
  t.ok(near(benjaminiHochberg([0.01, 0.04, 0.03, 0.005]), [0.02, 0.04, 0.04, 0.02]));
  t.ok(near(benjaminiHochberg([0.5, 0.5, 1]), [0.75, 0.75, 1]));
  t.same(benjaminiHochberg([0.03]), [0.03], 'one test: its own p');
  t.same(benjaminiHochberg([]), []);
});
