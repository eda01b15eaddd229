/**
 * A silent uplink failure for real: traffic dies beyond the first switch while every carrier stays
 * up. Without a bond (any kernel): the far port is disabled and nothing else changes. With the
 * bond of uplinkPair (needs bonding; faults-in-guest.test.ts runs this file inside User-mode Linux
 * here): miimon sees nothing, the ARP monitor fails over.
 */
import { setTimeout } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { InputError } from '../../harness/errors.js';
import { FaultInjector } from '../../harness/faults/fault.js';
import { uplinkFailure } from '../../harness/faults/uplink.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { LinkMonitor } from '../../harness/measure/link-monitor.js';
import type { BondOptionsInput } from '../../harness/topology/bond-options.js';
import { uplinkPair } from '../../harness/topology/examples.js';
import { resolveTopology } from '../../harness/topology/resolve.js';
import { readLinksOf } from '../../harness/topology/state.js';
import { Topology } from '../../harness/topology/topology.js';
import { bondingSkipReason, isolateState, leaks, snapshot } from '../fixtures/host.js';
import { BondReader, bridgePorts, eventually } from './observe.js';

isolateState(t);
const noBonding = await bondingSkipReason();

/** One ping from the client, out of `ifname` when given; whether it was answered. */
async function ping(topo: Topology, ifname?: string): Promise<boolean> {
  const out = ifname === undefined ? [] : ['-I', ifname];
  const r = await topo.exec(
    'client',
    ['ping', '-4', '-n', '-q', '-c', '1', '-W', '1', ...out, topo.address('server')],
    { okExitCodes: [1] },
  );
  return r.exitCode === 0;
}

/** Every link end of the topology that has carrier, read in one process. */
async function carriers(topo: Topology): Promise<string[]> {
  const nodes = [...topo.resolved.hosts, ...topo.resolved.switches.map((s) => s.name)];
  const byNetns = await readLinksOf(nodes.map((n) => topo.netns(n)));
  return topo.resolved.links
    .flatMap((l) => [l.a, l.b])
    .filter((e) =>
      byNetns
        .get(topo.netns(e.node))
        ?.find((l) => l.ifname === e.ifname)
        ?.flags.includes('LOWER_UP'),
    )
    .map((e) => `${e.node}:${e.ifname}`);
}

void t.test('the target must be a switch port linked to another switch', async (t) => {
  const declared = { resolved: resolveTopology(uplinkPair()) };
  t.same(uplinkFailure(declared, 'sw2', 'uplink'), {
    kind: 'uplink-failure',
    target: 'sw2:uplink',
    describe: 'uplink sw2:uplink dead beyond the switch (core:p2 disabled, carriers up)',
    inject: [{ node: 'core', tool: 'bridge', words: ['link', 'set', 'dev', 'p2', 'state', 0] }],
    restore: [{ node: 'core', tool: 'bridge', words: ['link', 'set', 'dev', 'p2', 'state', 3] }],
  });
  t.throws(() => uplinkFailure(declared, 'sw1', 'p1'), InputError);
  t.throws(() => uplinkFailure(declared, 'sw1', 'p1'), {
    field: 'fault.port',
    message: /linked to another switch \(this one leads to host client\): uplink$/,
  });
  t.throws(() => uplinkFailure(declared, 'core', 'p3'), { message: /: p1, p2$/ });
  t.throws(() => uplinkFailure(declared, 'nosw', 'uplink'), {
    name: 'InputError',
    field: 'fault.switch',
  });
  t.throws(() => uplinkFailure(declared, 'sw1', 'p9'), { name: 'InputError', field: 'fault.port' });
});

void t.test(
  'without a bond: the far port is disabled, no carrier changes, the path is dead',
  async (t) => {
    const before = snapshot();
    await withRun(async (run) => {
      const spec = uplinkPair();
      delete spec.bonds;
      // Builds and pings through three bridges: the client forwards nothing, so there is no loop.
      const topo = await Topology.build(run, spec);
      // Both client NICs are on one network: each must answer ARP for its own address only, or
      // the server may send eth0's replies to eth1 (ARP flux) and `ping -I eth0` never sees them.
      await topo.exec('client', ['sysctl', '-q', '-w', 'net.ipv4.conf.all.arp_ignore=1']);
      const allUp = await carriers(topo);
      t.equal(allUp.length, 10, 'every link end has carrier');
      t.ok(await ping(topo, 'eth0'), 'eth0 reaches the server through sw1');
      const fault = uplinkFailure(topo, 'sw1', 'uplink');
      const injector = await FaultInjector.start(run, topo, [fault]);
      const monitor = await LinkMonitor.start(run, topo.netns('client'));
      injector.inject(fault);
      t.ok(
        await eventually(async () => (await bridgePorts(topo, 'core')).p1?.state === 'disabled'),
        'core:p1 is disabled',
      );
      t.equal(
        (await bridgePorts(topo, 'sw1')).uplink?.state,
        'forwarding',
        "sw1's own port is untouched",
      );
      t.same(await carriers(topo), allUp, 'every carrier is still up');
      t.notOk(await ping(topo, 'eth0'), 'nothing gets past sw1');
      t.ok(await ping(topo, 'eth1'), 'the path through sw2 works');
      t.same(
        (await monitor.stop()).filter((e) => e.ifname !== 'lo'),
        [],
        'the client’s kernel saw no link change at all',
      );
      injector.restore(fault);
      t.ok(
        await eventually(async () => (await bridgePorts(topo, 'core')).p1?.state === 'forwarding'),
        'core:p1 forwards again',
      );
      t.ok(await eventually(() => ping(topo, 'eth0'), 5_000), 'eth0 reaches the server again');
      await injector.close();
    });
    t.same(leaks(before), { netns: [], links: [] });
  },
);

async function rxPackets(topo: Topology, node: string, ifname: string): Promise<number> {
  const { stdout } = await topo.exec(node, ['ip', '-s', '-j', 'link', 'show', 'dev', ifname]);
  const [l] = JSON.parse(stdout) as { stats64?: { rx?: { packets?: number } } }[];
  return l?.stats64?.rx?.packets ?? Number.NaN;
}

/** Builds uplinkPair with `options`, fails sw1's uplink, and hands the bond's view to `check`. */
async function bondBehindDeadUplink(
  t: Test,
  options: BondOptionsInput,
  check: (topo: Topology, bond: BondReader) => Promise<void>,
): Promise<void> {
  await withRun(async (run) => {
    // Built means pinged across: the bond joins the two switches' paths without a loop.
    const topo = await Topology.build(run, uplinkPair(options));
    const bond = await BondReader.start(topo, 'client');
    t.ok(await eventually(() => bond.read().activeSlave === 'eth0', 5_000), 'eth0 is active');
    const first = await rxPackets(topo, 'server', 'eth0');
    await setTimeout(1_000);
    const received = (await rxPackets(topo, 'server', 'eth0')) - first;
    t.ok(received < 100, 'no broadcast storm: the server hears a trickle', { received });
    const fault = uplinkFailure(topo, 'sw1', 'uplink');
    const injector = await FaultInjector.start(run, topo, [fault]);
    injector.inject(fault);
    await check(topo, bond);
    injector.restore(fault);
    await injector.close();
    await bond.stop();
  });
}

void t.test(
  'with miimon the bond sees nothing and the traffic is lost',
  { skip: noBonding },
  async (t) => {
    await bondBehindDeadUplink(
      t,
      { mode: 'active-backup', miimon: 100, primary: 'eth0' },
      async (topo, bond) => {
        // Ten times miimon: had it seen anything, it would have failed over by now.
        await setTimeout(1_000);
        const seen = bond.read();
        t.equal(seen.activeSlave, 'eth0', 'eth0 stays the active slave');
        t.match(seen.slaves, [
          { ifname: 'eth0', mii: 'up' },
          { ifname: 'eth1', mii: 'up' },
        ]);
        t.notOk(await ping(topo), 'and the client cannot reach the server');
      },
    );
  },
);

void t.test('with the ARP monitor the bond fails over to eth1', { skip: noBonding }, async (t) => {
  await bondBehindDeadUplink(
    t,
    { mode: 'active-backup', arp_interval: 100, arp_ip_target: ['server'], primary: 'eth0' },
    async (topo, bond) => {
      t.ok(
        await eventually(() => bond.read().activeSlave === 'eth1', 10_000),
        'eth1 became the active slave',
        { proc: bond.text() },
      );
      t.equal(
        bond.read().slaves.find((s) => s.ifname === 'eth0')?.mii,
        'down',
        'eth0 is down for the bond',
      );
      t.ok(await eventually(() => ping(topo), 5_000), 'the client reaches the server through sw2');
    },
  );
});
