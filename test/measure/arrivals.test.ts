/**
 * The arrival series a failover chart is drawn from, on captures whose truth is known exactly (the
 * real probes are exercised by failover.test.ts, which checks its arrivals too).
 */
import t from 'tap';
import { arrivalSeries, failoverArrivals, MAX_ARRIVALS } from '../../harness/measure/arrivals.js';
import type { DirectionCapture, ProbeCapture } from '../../harness/measure/probe.js';
import type { ArrivalSeries } from '../../harness/measure/series.js';
import { probeStream } from '../fixtures/probe-stream.js';

/** Probes every `interval` ms from `start`; those sent in [from, to) are lost; 0.25 ms one-way. */
const stream = (
  count: number,
  interval: number,
  lost: [number, number][] = [],
  start = 0,
): DirectionCapture => probeStream(count, interval, lost, { start, oneWayMs: 0.25 });

const lostIn = (s: ArrivalSeries): number[] => s.sentMs.filter((_, i) => s.delayMs[i] === null);

void t.test('every probe of a short window, relative to the fault', async (t) => {
  // 1 ms apart from 0; the fault at 500.5; 40 lost from 500.5 on; the window 200 ms before it.
  const s = arrivalSeries(stream(1000, 1, [[500.5, 540.5]]), {
    faultAtMs: 500.5,
    fromMs: 300.5,
    untilMs: 900,
  });
  t.equal(s.sentMs.length, 599, 'probes 301 to 899');
  t.equal(s.delayMs.length, s.sentMs.length);
  t.equal(s.sentMs[0], -199.5);
  t.equal(s.sentMs.at(-1), 398.5);
  t.same(
    lostIn(s),
    Array.from({ length: 40 }, (_, i) => 0.5 + i),
    'the 40 lost, as null',
  );
  t.ok(
    s.delayMs.every((d) => d === null || d === 0.25),
    'the others with their one-way delay',
  );
  t.equal(s.truncated, false);
  t.same(s.omitted, []);
});

void t.test('times are rounded to the microsecond', async (t) => {
  const d = stream(3, 1, [], 10.000_123_4);
  const s = arrivalSeries(d, { faultAtMs: 10, fromMs: 0, untilMs: 100 });
  t.same(s.sentMs, [0, 1, 2]);
  t.same(s.delayMs, [0.25, 0.25, 0.25]);
  const late = arrivalSeries(stream(2, 1.000_4), { faultAtMs: 0.000_6, fromMs: 0, untilMs: 9 });
  t.same(late.sentMs, [-0.001, 1]);
});

void t.test('duplicates and reordering: the first arrival counts', async (t) => {
  // Probe 2 arrives twice (the copy later), 4 before 3, and 5 never; an unknown sequence number
  // (not this stream's) is ignored.
  const d: DirectionCapture = {
    txMs: [0, 1, 2, 3, 4, 5],
    sendErrors: 0,
    rxSeq: [0, 1, 2, 4, 3, 2, 99],
    rxMs: [0.5, 1.5, 2.5, 4.5, 5, 7, 8],
    foreign: 0,
    overflow: 0,
    timedOut: false,
  };
  const s = arrivalSeries(d, { faultAtMs: 3, fromMs: 0, untilMs: 10 });
  t.same(s.sentMs, [-3, -2, -1, 0, 1, 2]);
  t.same(s.delayMs, [0.5, 0.5, 0.5, 2, 0.5, null], 'probe 2 by its first copy; 3 came late');
  t.equal(s.truncated, false);
});

void t.test('a long outage is cut in its middle; every edge survives', async (t) => {
  // 4000 probes 1 ms apart; the fault at 1000.5 loses everything until 2600.5; restored at 3000.5
  // with a 20 ms failback outage.
  const d = stream(4000, 1, [
    [1000.5, 2600.5],
    [3000.5, 3020.5],
  ]);
  const s = arrivalSeries(d, {
    faultAtMs: 1000.5,
    fromMs: 800.5,
    untilMs: 4000,
    marksMs: [3000.5],
    maxProbes: 1000,
  });
  const inWindow = 4000 - 801;
  t.equal(s.sentMs.length, 1000, 'at most maxProbes');
  t.equal(s.delayMs.length, 1000);
  t.equal(s.truncated, true);
  const omitted = s.omitted ?? [];
  t.equal(
    omitted.reduce((sum, o) => sum + o.probes, 0),
    inWindow - 1000,
    'kept and left out add up to the window',
  );
  t.equal(
    omitted.reduce((sum, o) => sum + o.lost, 0) + lostIn(s).length,
    1600 + 20,
    'so do the lost',
  );
  t.ok(
    s.sentMs.every((x, i) => i === 0 || x > (s.sentMs[i - 1] ?? 0)),
    'in send order',
  );
  for (const o of omitted) {
    t.notOk(
      s.sentMs.some((x) => x >= o.fromMs && x <= o.toMs),
      `nothing kept inside ${o.fromMs}..${o.toMs}`,
    );
  }
  const has = (x: number): boolean => s.sentMs.includes(x);
  // Relative to the fault: the outage is sent 0..1599, the failback's 2000..2019.
  t.ok([-199.5, -198.5, 2997.5, 2998.5].every(has), 'both ends of the window');
  t.ok([-1.5, -0.5, 0.5, 1.5].every(has), 'around the fault');
  t.ok([1598.5, 1599.5].every(has) && s.delayMs[s.sentMs.indexOf(1599.5)] === null, 'last lost');
  t.ok(has(1600.5) && s.delayMs[s.sentMs.indexOf(1600.5)] === 0.25, 'first through after');
  t.ok([1998.5, 1999.5, 2000.5, 2019.5, 2020.5].every(has), 'around the restore, whole failback');
  t.notOk(has(800.5), 'the middle of the outage went');
  t.ok(
    omitted.some((o) => o.fromMs <= 800.5 && o.toMs >= 800.5 && o.lost === o.probes),
    'and is said to have gone, all lost',
  );
});

void t.test('the window takes probes sent before its end only', async (t) => {
  const capture: ProbeCapture = {
    a: 'client',
    b: 'server',
    rate: 1000,
    family: 4,
    startedAtMs: 0,
    stoppedAtMs: 700.2,
    aToB: stream(800, 1, [[500, 530]]),
    bToA: stream(800, 1, [[500, 560]]),
  };
  const r = failoverArrivals(capture, { faultAtMs: 500, restoreAtMs: 600, leadMs: 200 });
  for (const [name, s] of Object.entries(r) as [string, ArrivalSeries][]) {
    t.equal(s.sentMs[0], -200, `${name} from 200 ms before the fault`);
    t.equal(s.sentMs.at(-1), 200, `${name} to the last probe before the stop`);
    t.equal(s.truncated, false);
  }
  t.equal(lostIn(r.aToB).length, 30);
  t.equal(lostIn(r.bToA).length, 60);
  const cut = failoverArrivals(capture, {
    faultAtMs: 500,
    restoreAtMs: 600,
    leadMs: 200,
    maxProbes: 100,
  });
  t.equal(cut.aToB.sentMs.length, 100);
  t.ok(cut.aToB.sentMs.includes(100), 'the restore is kept');
  t.ok(cut.bToA.sentMs.includes(59) && cut.bToA.sentMs.includes(60), 'the end of the outage');
});

void t.test('MAX_ARRIVALS bounds a series by default', async (t) => {
  const s = arrivalSeries(stream(5 * MAX_ARRIVALS, 1, [[100, 200]]), {
    faultAtMs: 100,
    fromMs: 0,
    untilMs: Number.POSITIVE_INFINITY,
  });
  t.equal(s.sentMs.length, MAX_ARRIVALS);
  t.equal(s.truncated, true);
  t.equal(lostIn(s).length, 100, 'the whole short outage is kept');
});
