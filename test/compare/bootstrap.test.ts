import t from 'tap';
import { medianDifferenceCi95 } from '../../harness/compare/bootstrap.js';

void t.test('constant samples: the interval is the difference itself', async (t) => {
  t.same(medianDifferenceCi95([5, 5, 5], [8, 8, 8, 8]), [3, 3]);
  t.same(medianDifferenceCi95([7], [7]), [0, 0]);
});

void t.test('separated samples: the interval lies within the extreme differences', async (t) => {
  const base = [1, 2, 3, 4, 5, 6, 7, 8];
  const cand = base.map((x) => x + 100);
  const [low, high] = medianDifferenceCi95(base, cand);
  // Any resampled median of cand is in [101, 108], of base in [1, 8]: their difference in [93, 107].
  t.ok(low >= 93 && high <= 107, `[${low}, ${high}] within [93, 107]`);
  t.ok(low <= 100 && 100 <= high, 'and holds the observed difference of the medians, 100');
  t.ok(low < high, 'with some width: the samples spread');
});

void t.test(
  'seeded: the same samples give the same interval, whatever the order of calls',
  async (t) => {
    const base = [41.2, 38.9, 52.3, 44.1, 40.0, 39.7, 61.5, 43.3];
    const cand = [45.1, 47.9, 44.0, 58.2, 46.6, 49.3, 44.8, 51.0];
    const first = medianDifferenceCi95(base, cand);
    medianDifferenceCi95([1, 2, 3], [4, 5, 6]);
    t.same(medianDifferenceCi95([...base], [...cand]), first);
  },
);

void t.test('an empty sample is a programming error', async (t) => {
  t.throws(() => medianDifferenceCi95([], [1]), RangeError);
});
