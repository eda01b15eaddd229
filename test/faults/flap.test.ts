/**
 * A flapping link for real: the kernel sees the carrier go and come back once per period, as many
 * times as asked, and an abort in the middle leaves the link up. Needs no bonding.
 */
import t from 'tap';
import { InputError } from '../../harness/errors.js';
import { FaultInjector } from '../../harness/faults/fault.js';
import { flap, flapPlan, runFlap } from '../../harness/faults/flap.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { LinkMonitor } from '../../harness/measure/link-monitor.js';
import { switchedPair } from '../../harness/topology/examples.js';
import { Topology } from '../../harness/topology/topology.js';
import { isolateState, leaks, snapshot } from '../fixtures/host.js';
import { eventually, link } from './observe.js';

isolateState(t);

void t.test(
  'three flaps: three carrier losses and returns, in order, on the kernel clock',
  async (t) => {
    const before = snapshot();
    await withRun(async (run) => {
      const topo = await Topology.build(run, switchedPair());
      const plan = flap(topo, 'client', 'eth0', { count: 3, periodMs: 300 });
      t.match(plan, {
        count: 3,
        periodMs: 300,
        fault: { kind: 'carrier-loss', target: 'client:eth0' },
      });
      t.match(plan.fault.describe, /3 times every 300 ms/);
      const injector = await FaultInjector.start(run, topo, [plan.fault]);
      const monitor = await LinkMonitor.start(run, topo.netns('client'));
      const events = await runFlap(injector, plan, run.signal);
      t.ok(
        await eventually(async () =>
          (await link(topo, 'client', 'eth0')).flags.includes('LOWER_UP'),
        ),
        'the carrier is back after the last restore',
      );
      const kernel = (await monitor.stop()).filter(
        (e) => e.ifname === 'eth0' && (e.kind === 'carrier-down' || e.kind === 'carrier-up'),
      );
      await injector.close();
      t.same(
        events.map((e) => e.action),
        ['inject', 'restore', 'inject', 'restore', 'inject', 'restore'],
      );
      t.same(injector.events, events, 'the injector recorded the same events');
      const offsets = events.map((e) => e.atMs - (events[0]?.atMs ?? 0));
      t.ok(
        offsets.every((o, k) => o >= k * 150),
        'each step keeps its schedule, half a period (150 ms) after the one before, never early',
        { offsets },
      );
      t.same(
        kernel.map((e) => e.kind),
        ['carrier-down', 'carrier-up', 'carrier-down', 'carrier-up', 'carrier-down', 'carrier-up'],
        'the kernel saw client:eth0 lose and regain carrier three times',
      );
      t.ok(
        kernel.every((e, i) => e.atMs >= (events[i]?.atMs ?? Infinity)),
        'each carrier change comes after the injection or restore that caused it',
        { kernel, events },
      );
    });
    t.same(leaks(before), { netns: [], links: [] });
  },
);

void t.test('an abort mid-flap restores the link and raises the reason', async (t) => {
  await withRun(async (run) => {
    const topo = await Topology.build(run, switchedPair(), { ready: 'links' });
    const plan = flap(topo, 'client', 'eth0', { count: 10, periodMs: 1_000 });
    const injector = await FaultInjector.start(run, topo, [plan.fault]);
    const stop = new AbortController();
    setTimeout(() => {
      stop.abort(new Error('enough'));
    }, 200);
    await t.rejects(runFlap(injector, plan, stop.signal), { message: 'enough' });
    t.same(
      injector.events.map((e) => e.action),
      ['inject', 'restore'],
      'aborted while down: restored',
    );
    t.ok(
      await eventually(async () => (await link(topo, 'sw', 'p1')).flags.includes('UP')),
      'the far end is up again',
    );
    await injector.close();
  });
});

void t.test('count and period are checked before anything runs', async (t) => {
  await withRun(async (run) => {
    const topo = await Topology.build(run, switchedPair(), { ready: 'none' });
    const bad: [Parameters<typeof flap>[3], RegExp][] = [
      [{ count: 0, periodMs: 100 }, /^flap\.count: 0 .*from 1 to 100/],
      [{ count: 101, periodMs: 100 }, /^flap\.count: 101 /],
      [{ count: 1.5, periodMs: 100 }, /^flap\.count: 1\.5 /],
      [{ count: 3, periodMs: 9 }, /^flap\.periodMs: 9 .*from 10 to 60000 \(ms\)/],
      [{ count: 3, periodMs: 60_001 }, /^flap\.periodMs: 60001 /],
    ];
    for (const [options, message] of bad) {
      t.throws(() => flap(topo, 'client', 'eth0', options), InputError);
      t.throws(() => flap(topo, 'client', 'eth0', options), { message });
    }
    t.throws(() => flap(topo, 'client', 'eth9', { count: 3, periodMs: 100 }), {
      name: 'InputError',
      field: 'fault.target',
    });
    t.match(
      flapPlan(flap(topo, 'sw', 'p3', { count: 1, periodMs: 10 }).fault, {
        count: 100,
        periodMs: 60_000,
      }),
      {
        count: 100,
        periodMs: 60_000,
      },
    );
  });
});
