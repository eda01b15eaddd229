import t, { type Test } from 'tap';
import { compareRuns } from '../../harness/compare/compare.js';
import { pText, quantity } from '../../harness/compare/format.js';
import { globMatches } from '../../harness/compare/thresholds-file.js';
import type { Comparison } from '../../harness/compare/types.js';
import type { RunFile } from '../../harness/results/run-file.js';
import { seeded } from '../../harness/measure/stats.js';
import { firstRepetitions, metricsMatching, plant, redrawn, runA, runB } from './plant.js';

// Two real runs of seed-failover and seed-failback in UML, 8 repetitions each, made one after the
// other by test/fixtures/runs/make.sh: whatever differs between them is run-to-run noise.

function compare(baseline: RunFile, candidate: RunFile): Comparison {
  return compareRuns(baseline, candidate, { paths: { baseline: 'a', candidate: 'b' } });
}

/** `case metric` of each metric with this verdict. */
function withVerdict(c: Comparison, verdict: string): string[] {
  return c.metrics.filter((m) => m.verdict === verdict).map((m) => `${m.case} ${m.metric}`);
}

/** The medians and p of the metrics that matter most, for the test's log. */
function show(t: Test, c: Comparison, glob = /\.(detection|outage|lost)$/): void {
  for (const m of c.metrics.filter((x) => glob.test(x.metric))) {
    t.comment(
      `${m.case} ${m.metric}: ${quantity(m.baselineMedian, m.unit)} → ${quantity(m.candidateMedian, m.unit)}, p ${pText(m.pValue)}, q ${pText(m.pAdjusted)}, ${m.verdict}`,
    );
  }
}

/**
 * The planted regression: every failover's outage 100 ms longer, in each of run b's repetitions
 * (about what a bond that found its new slave one 100 ms miimon period late would show). Why not
 * smaller: in these runs (two UML guests side by side on two busy cores) detection varies from
 * 90 to 560 ms and outage from 9 to 107 ms between repetitions; at 8 repetitions a side the test
 * cannot tell +40 ms or +30% from that (see the power test below, which prints what it catches).
 */
const PLANTED = '*.outage';
const slower = (run: RunFile): RunFile => plant(run, PLANTED, (x) => x + 100);

void t.test('run-to-run noise is not flagged', async (t) => {
  const c = compare(runA(), runB());
  show(t, c);
  t.comment(
    `p < 0.05 in ${c.metrics.filter((m) => (m.pValue ?? 1) < 0.05).length} of ${c.metrics.length} metrics`,
  );
  t.same(withVerdict(c, 'regression'), [], 'no regression');
  t.same(withVerdict(c, 'improvement'), [], 'no improvement');
  t.same(withVerdict(c, 'inconclusive'), [], '8 repetitions a side: every metric tested');
  t.same(c.environment, [], 'one machine, one commit, one kernel');
  t.ok(c.metrics.length > 20, `${c.metrics.length} metrics compared`);
  const reverse = compare(runB(), runA());
  t.same(withVerdict(reverse, 'regression'), [], 'nor the other way round');
  t.same(withVerdict(reverse, 'improvement'), []);
});

void t.test('chance alone, 200 times: a false alarm in at most 5% of comparisons', async (t) => {
  // Each metric's 16 samples from both runs, drawn anew into two runs of 8: nothing changed.
  // Without the adjustment for the number of metrics, about 6 comparisons in 10 of such runs
  // flagged something (p < 0.05 in some of 37 metrics, and most such medians moved past the
  // thresholds); with it, the share must stay below alpha.
  const a = runA();
  const b = runB();
  const random = seeded(2026);
  let alarms = 0;
  let significant = 0;
  for (let i = 0; i < 200; i++) {
    const c = compare(redrawn(a, [a, b], random), redrawn(b, [a, b], random));
    if (c.counts.regression + c.counts.improvement > 0) alarms++;
    significant += c.metrics.filter((m) => (m.pValue ?? 1) < 0.05).length;
  }
  t.comment(
    `${alarms} of 200 comparisons flagged a metric; ${significant} metrics had p < 0.05 before adjustment`,
  );
  t.ok(alarms <= 10, `${alarms} false alarms in 200`);
});

void t.test('a planted regression is caught, on exactly the planted metrics', async (t) => {
  const c = compare(runA(), slower(runB()));
  show(t, c);
  const planted = metricsMatching(runB(), PLANTED).sort();
  t.equal(planted.length, 3, 'seed-failback failover, seed-failover failover and failover-back');
  t.same(withVerdict(c, 'regression').sort(), planted);
  t.same(withVerdict(c, 'improvement'), []);
});

void t.test(
  'what the test can and cannot see at 8 repetitions (printed, not asserted)',
  async (t) => {
    const changes: [string, (x: number) => number][] = [
      ['+30%', (x) => x * 1.3],
      ['+40 ms', (x) => x + 40],
      ['x2', (x) => x * 2],
      ['+100 ms', (x) => x + 100],
      ['+200 ms', (x) => x + 200],
    ];
    for (const glob of ['*.detection', '*.outage']) {
      for (const [name, f] of changes) {
        const c = compare(runA(), plant(runB(), glob, f));
        const rows = c.metrics.filter((m) => globMatches(glob, m.metric));
        const caught = rows.filter((m) => m.verdict === 'regression').length;
        const ps = rows.map((m) => `${pText(m.pValue)}/${pText(m.pAdjusted)}`).join(' ');
        t.comment(`${glob} ${name}: ${caught} of ${rows.length} caught (p/q ${ps})`);
        t.equal(c.counts.improvement, 0, `${glob} ${name}: no improvement invented`);
      }
    }
  },
);

void t.test('the same change the other way is an improvement', async (t) => {
  const c = compare(slower(runA()), runB());
  t.same(withVerdict(c, 'improvement').sort(), metricsMatching(runB(), PLANTED).sort());
  t.same(withVerdict(c, 'regression'), []);
});

void t.test('a change within the noise (+2% on every sample) is not flagged', async (t) => {
  const c = compare(
    runA(),
    plant(runB(), '*', (x) => x * 1.02),
  );
  t.same(withVerdict(c, 'regression'), []);
  t.same(withVerdict(c, 'improvement'), []);
  // Nor against itself, where the shift is all there is to see.
  const self = compare(
    runB(),
    plant(runB(), '*', (x) => x * 1.02),
  );
  const significant = self.metrics.filter((m) => (m.pValue ?? 1) < 0.05).length;
  t.comment(`run b against itself +2%: p < 0.05 in ${significant} of ${self.metrics.length}`);
  t.same(withVerdict(self, 'regression'), []);
  t.same(withVerdict(self, 'improvement'), []);
});

void t.test('one repetition a side: inconclusive, even with the planted regression', async (t) => {
  const c = compare(firstRepetitions(runA(), 1), firstRepetitions(slower(runB()), 1));
  t.equal(c.counts.regression, 0);
  t.equal(
    c.counts.inconclusive,
    c.metrics.length - c.counts.missing,
    'every metric in both runs inconclusive',
  );
  t.match(c.metrics[0]?.reason, /^1 and 1 repetitions: at least 3 a side are needed/);
  const few = compare(firstRepetitions(runA(), 3), firstRepetitions(slower(runB()), 3));
  t.equal(few.counts.regression, 0, '3 a side: p can never go below 0.1');
});

void t.test('a case in one run only is listed; its metrics are not compared', async (t) => {
  const b = runB();
  const [first, ...rest] = b.cases;
  b.cases = rest;
  const c = compare(runA(), b);
  t.same(c.onlyInBaseline, [first?.case]);
  t.same(c.onlyInCandidate, []);
  t.notOk(c.metrics.some((m) => m.case === first?.case));
});

void t.test('a metric in one run only is missing', async (t) => {
  const b = runB();
  const kase = b.cases[0];
  const dropped = kase?.metrics.find((m) => m.samples.length > 0);
  if (kase !== undefined) kase.metrics = kase.metrics.filter((m) => m !== dropped);
  const c = compare(runA(), b);
  t.same(withVerdict(c, 'missing'), [`${kase?.case} ${dropped?.name}`]);
  t.match(
    c.metrics.find((m) => m.verdict === 'missing'),
    { reason: 'measured in the baseline run only' },
  );
});
