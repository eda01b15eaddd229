/**
 * The outage arithmetic, on streams whose truth is known exactly (the real probe is exercised on
 * real namespaces by probe.test.ts and calibrate.test.ts).
 */
import t from 'tap';
import { analyseDirection, analyseProbe } from '../../harness/measure/probe-analysis.js';
import type { DirectionCapture, ProbeCapture } from '../../harness/measure/probe.js';
import { probeStream } from '../fixtures/probe-stream.js';

/** Probes every `interval` ms from 0; those sent in [from, to) are lost; 0.1 ms one-way. */
const stream = (count: number, interval: number, lost: [number, number][] = []): DirectionCapture =>
  probeStream(count, interval, lost, { oneWayMs: 0.1 });

void t.test('a 50 ms blackhole at 1000 probes/s reads 50 ms ± 1', async (t) => {
  const r = analyseDirection(stream(1000, 1, [[300.5, 350.5]]), 1000, 1000, { faultAtMs: 300.5 });
  t.equal(r.sent, 1000);
  t.equal(r.lost, 50);
  t.equal(r.received, 950);
  const o = r.outage;
  if (o === undefined) throw new Error('no outage found');
  t.equal(o.outageMs, 50, 'midpoint of the inner (49) and outer (51) spans');
  t.equal(o.uncertaintyMs, 1, 'one probe interval');
  t.equal(o.lost, 50);
  t.ok(o.recovered);
  t.equal(o.faultToFirstMs, 50.6, 'fault to the first arrival after it');
  t.equal(o.arrivalGapMs, 51, 'the receiver saw 51 ms between arrivals');
  t.same(r.intervalMs, { nominal: 1, mean: 1, p50: 1, p99: 1, max: 1 });
});

void t.test('coarse pacing widens the uncertainty, not the estimate', async (t) => {
  // 10 ms apart (a UML tick): a 50 ms outage from 305 to 355 loses the probes at 310..350.
  const r = analyseDirection(stream(100, 10, [[305, 355]]), 100, 1000, { faultAtMs: 305 });
  t.equal(r.outage?.outageMs, 50);
  t.equal(r.outage?.uncertaintyMs, 10);
  t.equal(r.outage?.lost, 5);
});

void t.test('no loss, no outage; loss before the fault is not its outage', async (t) => {
  t.equal(analyseDirection(stream(500, 1), 1000, 500, { faultAtMs: 100 }).outage, undefined);
  const r = analyseDirection(
    stream(1000, 1, [
      [100, 180],
      [600, 620],
    ]),
    1000,
    1000,
    {
      faultAtMs: 500,
    },
  );
  t.equal(r.outage?.outageMs, 20, 'only the loss after the fault');
  t.equal(r.lost, 100, 'lost counts the whole stream');
});

void t.test(
  'a window ends at the next fault; an outage that never ends is not recovered',
  async (t) => {
    const d = stream(1000, 1, [
      [200, 230],
      [600, 1000],
    ]);
    const first = analyseDirection(d, 1000, 1000, { faultAtMs: 200, untilMs: 600 });
    t.equal(first.outage?.outageMs, 30, 'the second outage belongs to the second window');
    const second = analyseDirection(d, 1000, 1000, { faultAtMs: 600 });
    t.equal(second.outage?.recovered, false);
    t.equal(second.outage?.firstAfterSentMs, undefined);
    t.equal(second.outage?.lost, 400);
  },
);

void t.test('duplicates and reordering are counted, not mistaken for loss', async (t) => {
  const d = stream(10, 1);
  d.rxSeq = [0, 1, 3, 2, 4, 4, 5, 6, 7, 8, 9, 9];
  d.rxMs = d.rxSeq.map((s, i) => s + 0.1 + i * 0.001);
  const r = analyseDirection(d, 1000, 10);
  t.equal(r.duplicated, 2);
  t.equal(r.reordered, 1);
  t.equal(r.lost, 0);
  t.equal(r.received, 10);
});

void t.test('both directions: the outage a user feels is the longer one', async (t) => {
  const capture: ProbeCapture = {
    a: 'client',
    b: 'server',
    rate: 1000,
    family: 4,
    startedAtMs: 0,
    stoppedAtMs: 1000,
    aToB: stream(1000, 1, [[400.5, 420.5]]),
    bToA: stream(1000, 1, [[400.5, 470.5]]),
  };
  const r = analyseProbe(capture, { faultAtMs: 400.5 });
  t.equal(r.aToB.outage?.outageMs, 20);
  t.equal(r.bToA.outage?.outageMs, 70);
  t.equal(r.outageMs, 70);
  t.equal(r.lost, 90);
});
