/**
 * Per-interface counters over time, for real on host namespaces: a throughput measurement records
 * a series whose byte totals match its before/after counters; the sampler starts no process,
 * reads through whichever process is in the namespace, and stops, leaving nothing behind, when
 * aborted, or says why there is no series (no process, a missing interface).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { Daemon } from '../../harness/exec/daemon.js';
import { spawnCount } from '../../harness/exec/run.js';
import { pidsInNetns } from '../../harness/lifecycle/netns.js';
import { parseNetnsName } from '../../harness/lifecycle/names.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { monotonicMs } from '../../harness/measure/clock.js';
import { CounterSampler, parseNetDev } from '../../harness/measure/counter-series.js';
import { measureThroughput } from '../../harness/measure/throughput.js';
import type { CounterSeries } from '../../harness/measure/series.js';
import { switchedPair } from '../../harness/topology/examples.js';
import { Topology } from '../../harness/topology/topology.js';
import { isolateState, leaks, snapshot, type HostSnapshot } from '../fixtures/host.js';

isolateState(t);

/** What run `id` left behind; other runs (another test process) may come and go meanwhile. */
function leaksOf(id: string, before: HostSnapshot): HostSnapshot {
  const l = leaks(before);
  return { netns: l.netns.filter((n) => parseNetnsName(n)?.runId === id), links: l.links };
}

const NO_LEAKS = { netns: [], links: [] };

/** Processes inside the topology's namespaces. */
function processesIn(topo: Topology): number[] {
  const names = ['client', 'server', 'sw'].map((n) => topo.netns(n));
  return [...pidsInNetns(names).values()].flat();
}

/** Bytes per sample interval of one interface, rebuilt from the series' rates. */
function bytesPerInterval(series: CounterSeries, rates: number[]): number[] {
  return rates.map((rate, k) =>
    k === 0 ? 0 : (rate * ((series.atMs[k] ?? 0) - (series.atMs[k - 1] ?? 0))) / 8000,
  );
}

/** Waits (bounded) until `done`, polling. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await sleep(10);
  if (!done()) throw new Error(`gave up waiting for ${what}`);
}

void t.test('parseNetDev reads the byte counters of /proc/net/dev', async (t) => {
  const text = [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0',
    '  eth0: 18446744073709 12    0    0    0     0          0         0 9007199254740991  7 0 0 0 0 0 0',
    'verylongname12:5 1 0 0 0 0 0 0 6 1 0 0 0 0 0 0',
  ].join('\n');
  t.same(
    [...parseNetDev(text)],
    [
      ['lo', { rxBytes: 0, txBytes: 0 }],
      ['eth0', { rxBytes: 18446744073709, txBytes: 9007199254740991 }],
      ['verylongname12', { rxBytes: 5, txBytes: 6 }],
    ],
  );
});

void t.test('a throughput run records per-interface counters over time', async (t) => {
  const before = snapshot();
  let id = '';
  await withRun(async (run) => {
    id = run.id;
    const topo = await Topology.build(run, switchedPair());
    const pending = run.teardown.pending;
    const r = await measureThroughput(run, topo, {
      from: 'client',
      to: 'server',
      flows: 2,
      durationS: 2,
      counters: ['eth0', 'eth1'],
    });
    const counters = r.counters;
    const series = counters?.series;
    if (counters === undefined || series === undefined)
      throw new Error(`no series: ${counters?.seriesError}`);
    t.equal(counters.seriesError, undefined, 'it covers the whole run');
    t.equal(series.intervalMs, 100);
    t.same(Object.keys(series.txBitsPerSecond), ['eth0', 'eth1']);
    t.same(Object.keys(series.rxBitsPerSecond), ['eth0', 'eth1']);
    for (const rates of [
      ...Object.values(series.txBitsPerSecond),
      ...Object.values(series.rxBitsPerSecond),
    ])
      t.equal(rates.length, series.atMs.length, 'one rate per sample');
    t.ok(series.atMs.length >= 2, `${series.atMs.length} samples`);
    t.ok(
      series.atMs.every((x, k) => k === 0 || x > (series.atMs[k - 1] ?? 0)),
      'sample times ascend',
    );
    t.ok((series.atMs[0] ?? -1) >= 0, 'from the clients’ start on');
    t.ok(r.startedAtMs > 0 && r.startedAtMs < monotonicMs(), 'the anchor, on the monotonic clock');
    const gaps = series.atMs.slice(1).map((x, k) => x - (series.atMs[k] ?? 0));
    t.comment(
      `${series.atMs.length} samples, interval ${Math.min(...gaps).toFixed(1)}-${Math.max(...gaps).toFixed(1)} ms`,
    );

    for (const name of ['eth0', 'eth1'] as const) {
      for (const side of ['tx', 'rx'] as const) {
        const rates = (side === 'tx' ? series.txBitsPerSecond : series.rxBitsPerSecond)[name] ?? [];
        const perInterval = bytesPerInterval(series, rates);
        const total = perInterval.reduce((a, b) => a + b, 0);
        const delta = counters.delta.interfaces[name]?.[side === 'tx' ? 'txBytes' : 'rxBytes'] ?? 0;
        // The series spans less than before/after does: up to an interval's worth of traffic,
        // or on an idle interface a stray IPv6 neighbour or multicast packet or two (< 2 frames).
        // Its rates are rounded to 1 bit/s and its times to 1 µs: at rate r, up to r/8 bytes per
        // second (1e-6 s) a sample.
        const rounding = rates.reduce((sum, rate) => sum + rate / 8 / 1e6 + 1, 0);
        const slack = Math.max(...perInterval) + 2 * 1538 + rounding;
        t.ok(
          total <= delta + rounding && delta - total <= slack,
          `${name} ${side}: ${Math.round(total)} bytes in the series, ${delta} between before and after (within ${Math.round(slack)})`,
        );
      }
    }
    const eth0 = series.txBitsPerSecond.eth0 ?? [];
    t.ok(Math.max(...eth0) > 0, 'eth0 carried the flows');
    t.equal(run.teardown.pending, pending, 'servers stopped, sampling ended');
    t.same(processesIn(topo), [], 'no process left in the topology');
  });
  t.same(leaksOf(id, before), NO_LEAKS);
});

void t.test('the sampler stops when aborted, and no process is started for it', async (t) => {
  const before = snapshot();
  let id = '';
  await withRun(async (run) => {
    id = run.id;
    const topo = await Topology.build(run, switchedPair());
    const netns = topo.netns('client');
    // A process in the namespace to read through, as an iperf3 client or a probe agent is.
    const inside = Daemon.start(run, ['sleep', '60'], { netns });
    await until(() => processesIn(topo).length === 1, 'the process to enter the namespace');
    const abort = new AbortController();
    const spawned = spawnCount();
    const pending = run.teardown.pending;
    const sampler = CounterSampler.start(run, {
      netns,
      ifnames: ['eth0'],
      maxDurationMs: 60_000,
      signal: abort.signal,
    });
    await until(() => sampler.count >= 3, 'three samples');
    t.equal(spawnCount(), spawned, 'no process per sample, nor one to sample through');
    t.equal(sampler.pid, inside.pid, 'read through the process in the namespace');
    abort.abort();
    const count = sampler.count;
    t.equal(run.teardown.pending, pending, 'nothing left for the teardown');
    await sleep(3 * sampler.intervalMs);
    t.equal(sampler.count, count, 'no sample after the abort');
    const outcome = sampler.stop();
    t.match(outcome.error, /aborted/);
    t.equal(outcome.series?.atMs.length, count, 'what it sampled before is kept');
    await inside.stop();
  });
  t.same(leaksOf(id, before), NO_LEAKS);
});

void t.test(
  'it reads through whichever process is in the namespace, or says none was',
  async (t) => {
    const before = snapshot();
    let id = '';
    await withRun(async (run) => {
      id = run.id;
      const topo = await Topology.build(run, switchedPair());
      const netns = topo.netns('client');
      const first = Daemon.start(run, ['sleep', '60'], { netns });
      await until(() => processesIn(topo).length === 1, 'the first process');
      const sampler = CounterSampler.start(run, {
        netns,
        ifnames: ['eth0'],
        maxDurationMs: 60_000,
      });
      await until(() => sampler.count >= 2, 'two samples');
      t.equal(sampler.pid, first.pid);
      // The processes this test started, one after the other: samples resume through the second.
      await first.stop();
      const second = Daemon.start(run, ['sleep', '60'], { netns });
      await until(() => sampler.pid === second.pid, 'the second process to be read through');
      const count = sampler.count;
      await until(() => sampler.count >= count + 2, 'two more samples');
      const outcome = sampler.stop();
      t.equal(outcome.error, undefined);
      t.ok((outcome.series?.atMs.length ?? 0) >= 4, 'one series across both');
      await second.stop();

      // The switch's namespace, where no process runs.
      const nobody = CounterSampler.start(run, {
        netns: topo.netns('sw'),
        ifnames: ['p1'],
        maxDurationMs: 60_000,
      });
      await sleep(50);
      const none = nobody.stop();
      t.equal(none.series, undefined);
      t.match(none.error, /no process was in .*-sw to read its counters through/);
    });
    t.same(leaksOf(id, before), NO_LEAKS);
  },
);

void t.test('a missing interface ends sampling with the reason', async (t) => {
  const before = snapshot();
  let id = '';
  await withRun(async (run) => {
    id = run.id;
    const topo = await Topology.build(run, switchedPair());
    const netns = topo.netns('client');
    const inside = Daemon.start(run, ['sleep', '60'], { netns });
    await until(() => processesIn(topo).length === 1, 'the process to enter the namespace');
    const missing = CounterSampler.start(run, {
      netns,
      ifnames: ['eth0', 'eth9'],
      maxDurationMs: 60_000,
    });
    await sleep(50);
    const none = missing.stop();
    t.equal(none.series, undefined);
    t.match(none.error, /eth9 is not in .*\(its interfaces: lo, eth0, eth1\)/);
    await inside.stop();
    t.same(processesIn(topo), []);
  });
  t.same(leaksOf(id, before), NO_LEAKS);
});
