import t from 'tap';
import { summarize } from '../../harness/measure/stats.js';

void t.test('a summary of samples', async (t) => {
  const s = summarize([5, 1, 4, 2, 3]);
  t.equal(s.n, 5);
  t.equal(s.median, 3);
  t.equal(s.min, 1);
  t.equal(s.max, 5);
  t.equal(s.stddev, 1.581, 'sample standard deviation');
  t.ok(s.p95 >= 4 && s.p95 <= 5, `p95 between the top two samples: ${s.p95}`);
  t.ok(s.ci95[0] <= s.median && s.median <= s.ci95[1], 'the interval holds the median');
  t.ok(s.ci95[0] >= 1 && s.ci95[1] <= 5, 'and stays within the samples');
});

void t.test('the bootstrap is seeded: the same samples give the same interval', async (t) => {
  const samples = [41.2, 38.9, 52.3, 44.1, 40.0, 39.7, 61.5, 43.3];
  t.same(summarize(samples).ci95, summarize([...samples]).ci95);
});

void t.test('one sample: no spread; none: an error', async (t) => {
  t.same(summarize([7]), { n: 1, median: 7, p95: 7, min: 7, max: 7, stddev: 0, ci95: [7, 7] });
  t.throws(() => summarize([]), RangeError);
});
