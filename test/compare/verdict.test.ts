import t from 'tap';
import { defaultThresholds } from '../../harness/compare/defaults.js';
import type { Better, Thresholds } from '../../harness/compare/types.js';
import { decide, judge, testMetric } from '../../harness/compare/verdict.js';

const MS: Thresholds = { relative: 0.2, absolute: 10, alpha: 0.05 };

function verdictOf(
  baseline: number[] | undefined,
  candidate: number[] | undefined,
  o: { better?: Better; thresholds?: Thresholds; unit?: string } = {},
) {
  return judge({
    case: 'seed-failover',
    metric: 'failover.detection',
    unit: o.unit ?? 'ms',
    better: o.better ?? 'lower',
    baseline,
    candidate,
    thresholds: o.thresholds ?? MS,
  });
}

const BASE = [96, 101, 99, 104, 98, 102, 97, 103];

void t.test('a clear slowdown beyond both thresholds is a regression', async (t) => {
  const m = verdictOf(
    BASE,
    BASE.map((x) => x * 1.3),
  );
  t.equal(m.verdict, 'regression', m.reason);
  t.equal(m.baselineMedian, 100);
  t.equal(m.candidateMedian, 130);
  t.equal(m.change, 30);
  t.equal(m.relativeChange, 0.3);
  t.ok(m.pValue !== undefined && m.pValue < 0.001, `p ${m.pValue}`);
  t.ok(m.changeCi95 !== undefined && m.changeCi95[0] > 20 && m.changeCi95[1] < 40, 'CI around +30');
});

void t.test('the same speed-up is an improvement; for throughput, higher is better', async (t) => {
  t.equal(
    verdictOf(
      BASE,
      BASE.map((x) => x * 0.7),
    ).verdict,
    'improvement',
  );
  const mbit = {
    better: 'higher' as const,
    unit: 'Mbit/s',
    thresholds: defaultThresholds('Mbit/s'),
  };
  t.equal(
    verdictOf(
      BASE,
      BASE.map((x) => x * 0.9),
      mbit,
    ).verdict,
    'regression',
    '−10% Mbit/s',
  );
  t.equal(
    verdictOf(
      BASE,
      BASE.map((x) => x * 1.1),
      mbit,
    ).verdict,
    'improvement',
    '+10% Mbit/s',
  );
});

void t.test('significant but within a threshold: unchanged', async (t) => {
  const small = verdictOf(
    BASE,
    BASE.map((x) => x + 8),
  );
  t.equal(small.verdict, 'unchanged', 'under the absolute threshold (10 ms)');
  t.ok(small.pValue !== undefined && small.pValue < 0.05, `although p = ${small.pValue}`);
  t.match(small.reason, /within the thresholds: \|change\| <= 10 ms/);
  const relative = verdictOf(
    BASE.map((x) => x + 900),
    BASE.map((x) => x + 915),
  );
  t.equal(relative.verdict, 'unchanged', '+15 ms on 1000 ms: beyond 10 ms, but 1.5% < 20%');
  t.match(relative.reason, /\|change\| <= 20%/);
});

void t.test('not significant: unchanged, whatever the medians did', async (t) => {
  // Interleaved samples: the medians differ by 40% but the ranks say nothing.
  const m = verdictOf([10, 30, 50, 70, 90], [20, 40, 60, 80, 100]);
  t.equal(m.verdict, 'unchanged');
  t.ok(m.pValue !== undefined && m.pValue > 0.5, `p ${m.pValue}`);
  t.match(m.reason, /^not significant: p = /);
});

void t.test('too few repetitions: inconclusive, never a regression', async (t) => {
  const one = verdictOf([100], [1000]);
  t.equal(one.verdict, 'inconclusive', 'one run each: a tenfold change still says nothing');
  t.equal(one.pValue, undefined, 'not tested');
  t.equal(one.change, 900, 'the change is still reported');
  t.match(one.reason, /1 and 1 repetitions: at least 3 a side/);
  t.equal(verdictOf([100, 101], [200, 201, 202, 203]).verdict, 'inconclusive', '2 a side');
  const three = verdictOf([100, 101, 102], [200, 201, 202]);
  t.equal(three.verdict, 'inconclusive', '3 and 3 at alpha 0.05: the smallest p is 0.1');
  t.match(three.reason, /smallest possible p is 0.1, not below alpha 0.05/);
  const loose = { ...MS, alpha: 0.2 };
  t.equal(
    verdictOf([100, 101, 102], [200, 201, 202], { thresholds: loose }).verdict,
    'regression',
    'at alpha 0.2 it can be tested',
  );
  t.equal(verdictOf([100, 101, 102, 103], [200, 201, 202, 203]).verdict, 'regression', '4 and 4');
});

void t.test('in one run only: missing', async (t) => {
  const m = verdictOf(undefined, [5, 6, 7]);
  t.equal(m.verdict, 'missing');
  t.equal(m.reason, 'measured in the candidate run only');
  t.equal(verdictOf([5, 6, 7], []).reason, 'measured in the baseline run only');
});

void t.test('from a median of 0 the absolute threshold decides alone', async (t) => {
  const probes = { unit: 'probes', thresholds: defaultThresholds('probes') };
  const m = verdictOf([0, 0, 0, 0, 0, 1], [40, 42, 45, 39, 41, 44], probes);
  t.equal(m.relativeChange, undefined, 'no relative change from 0');
  t.equal(m.verdict, 'regression', m.reason);
  t.equal(
    verdictOf([0, 0, 0, 0, 0, 1], [3, 4, 5, 3, 4, 5], probes).verdict,
    'unchanged',
    '+4 probes',
  );
});

void t.test('decide: the adjusted p is what must be below alpha', async (t) => {
  const tested = testMetric({
    case: 'seed-failover',
    metric: 'failover.detection',
    unit: 'ms',
    better: 'lower',
    baseline: BASE,
    candidate: BASE.map((x) => x * 1.3),
    thresholds: MS,
  });
  t.ok((tested.pValue ?? 1) < 0.001, 'alone, clearly significant');
  t.equal(tested.verdict, undefined, 'no verdict before the adjustment');
  const diluted = decide(tested, 0.08);
  t.equal(diluted.verdict, 'unchanged', 'q 0.08: not significant among the others');
  t.equal(diluted.pAdjusted, 0.08);
  t.match(diluted.reason, /^not significant: p = 0\.000\d+, q = 0\.08, alpha 0\.05$/);
  t.equal(decide(tested, 0.01).verdict, 'regression');
});

void t.test('every sample one value: unchanged, and left out of the adjustment', async (t) => {
  const m = testMetric({
    case: 'seed-failover',
    metric: 'failover.failbacks',
    unit: 'events',
    better: 'lower',
    baseline: [0, 0, 0, 0, 0],
    candidate: [0, 0, 0, 0, 0],
    thresholds: defaultThresholds('events'),
  });
  t.match(m, { verdict: 'unchanged', reason: 'every sample the same value', pValue: 1 });
});
