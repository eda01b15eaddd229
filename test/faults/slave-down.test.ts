/**
 * A bond slave set down on its own host, for real: the bond marks it down and fails over, the
 * slave stays enslaved, and restore brings it back. Needs bonding: on a kernel without it the bond
 * test skips (faults-in-guest.test.ts runs this file inside User-mode Linux); the target checks
 * need no kernel at all.
 */
import t from 'tap';
import { InputError } from '../../harness/errors.js';
import { FaultInjector } from '../../harness/faults/fault.js';
import { slaveDown } from '../../harness/faults/slave-down.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { LinkMonitor } from '../../harness/measure/link-monitor.js';
import { bondedPair } from '../../harness/topology/examples.js';
import { resolveTopology } from '../../harness/topology/resolve.js';
import { Topology } from '../../harness/topology/topology.js';
import { bondingSkipReason, isolateState, leaks, snapshot } from '../fixtures/host.js';
import { BondReader, eventually, link } from './observe.js';

isolateState(t);
const noBonding = await bondingSkipReason();

void t.test('the target must be a bond slave; checked without touching the kernel', async (t) => {
  const declared = { resolved: resolveTopology(bondedPair()) };
  const fault = slaveDown(declared, 'client', 'eth1');
  t.same(fault, {
    kind: 'slave-down',
    target: 'client:eth1',
    describe: 'slave client:eth1 of bond0 set down',
    inject: [{ node: 'client', tool: 'ip', words: ['link', 'set', 'dev', 'eth1', 'down'] }],
    restore: [{ node: 'client', tool: 'ip', words: ['link', 'set', 'dev', 'eth1', 'up'] }],
  });
  for (const [host, ifname] of [
    ['client', 'eth7'],
    ['client', 'bond0'],
    ['server', 'eth0'],
    ['sw', 'p1'],
    ['nohost', 'eth0'],
  ] as const) {
    t.throws(() => slaveDown(declared, host, ifname), InputError);
    t.throws(() => slaveDown(declared, host, ifname), {
      field: 'fault.target',
      value: `${host}:${ifname}`,
      message: /expected a slave of a bond: client:eth0, client:eth1$/,
    });
  }
  const none = { resolved: resolveTopology({ hosts: { a: {} }, links: [] }) };
  t.throws(() => slaveDown(none, 'a', 'eth0'), { message: /this topology has no bonds/ });
});

void t.test(
  'slave down: the bond fails over, the slave stays in, and comes back',
  { skip: noBonding },
  async (t) => {
    const before = snapshot();
    await withRun(async (run) => {
      const topo = await Topology.build(
        run,
        bondedPair({ mode: 'active-backup', miimon: 100, primary: 'eth0' }),
      );
      const bond = await BondReader.start(topo, 'client');
      t.equal(bond.read().activeSlave, 'eth0', 'the primary is active');
      const fault = slaveDown(topo, 'client', 'eth0');
      const injector = await FaultInjector.start(run, topo, [fault]);
      const monitor = await LinkMonitor.start(run, topo.netns('client'));
      injector.inject(fault);
      t.ok(
        await eventually(() => bond.read().activeSlave === 'eth1', 5_000, 10),
        'the bond made eth1 active',
      );
      const down = bond.read();
      t.match(down.slaves, [
        { ifname: 'eth0', mii: 'down' },
        { ifname: 'eth1', mii: 'up' },
      ]);
      const eth0 = await link(topo, 'client', 'eth0');
      t.notOk(eth0.flags.includes('UP'), 'eth0 is admin down');
      t.equal(eth0.master, 'bond0', 'and still a slave of bond0');
      t.ok(
        (await link(topo, 'sw', 'p1')).flags.includes('NO-CARRIER'),
        'the switch port lost carrier',
      );
      t.ok(await topo.ping('client', 'server'), 'traffic flows over eth1');

      injector.restore(fault);
      t.ok(
        await eventually(() => bond.read().activeSlave === 'eth0', 5_000, 10),
        'the primary is back in charge',
      );
      t.match(bond.read().slaves, [
        { ifname: 'eth0', mii: 'up' },
        { ifname: 'eth1', mii: 'up' },
      ]);
      t.ok(
        (await link(topo, 'client', 'eth0')).flags.includes('LOWER_UP'),
        'eth0 is up with carrier',
      );
      const events = (await monitor.stop()).filter((e) => e.ifname !== 'lo');
      t.equal(
        events.map((e) => `${e.ifname} ${e.kind}`)[0],
        'eth0 admin-down',
        'the kernel saw eth0 go down first',
      );
      t.ok(
        events.some((e) => e.kind === 'failover'),
        'and a BONDING FAILOVER',
        { events: events.map((e) => `${e.ifname} ${e.kind}`) },
      );
      t.ok(
        events.some((e) => e.ifname === 'eth0' && e.kind === 'admin-up'),
        'then eth0 up again',
      );
      await injector.close();
      await bond.stop();
      t.ok(await topo.ping('client', 'server'), 'traffic flows after restore');
    });
    t.same(leaks(before), { netns: [], links: [] });
  },
);
