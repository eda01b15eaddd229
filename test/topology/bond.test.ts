/**
 * Bonds for real. Needs a kernel with the bonding driver: on one without, these skip with the
 * reason, and the refusal a user gets there is tested instead.
 */
import t, { type Test } from 'tap';
import { KernelUnsupportedError } from '../../harness/errors.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import type { BondOptionsInput } from '../../harness/topology/bond-options.js';
import { bondedPair } from '../../harness/topology/examples.js';
import type { IpLink } from '../../harness/topology/state.js';
import { Topology } from '../../harness/topology/topology.js';
import { bondingSkipReason, isolateState, leaks, snapshot } from '../fixtures/host.js';

isolateState(t);
const noBonding = await bondingSkipReason();
const NO_LEAKS = { netns: [], links: [] };

async function links(topo: Topology, node: string): Promise<IpLink[]> {
  const { stdout } = await topo.exec(node, ['ip', '-d', '-j', 'link', 'show']);
  return JSON.parse(stdout) as IpLink[];
}

/** Builds the bonded pair with `options`, reads the bond back, and checks what both agree on. */
async function buildAndReadBack(
  t: Test,
  options: BondOptionsInput,
  check: (topo: Topology, bond: Awaited<ReturnType<Topology['readBond']>>) => Promise<void>,
): Promise<void> {
  const before = snapshot();
  await withRun(async (r) => {
    const topo = await Topology.build(r, bondedPair(options));
    const [resolved] = topo.resolved.bonds;
    if (resolved === undefined) throw new Error('the bonded pair has a bond');
    const bond = await topo.readBond(resolved);
    t.ok(bond.options.length > 0, 'options were compared');
    t.same(
      bond.options.filter((o) => o.actual !== o.requested),
      [],
      'every option the kernel reports in sysfs is the one requested',
    );
    t.equal(bond.link?.linkinfo?.info_kind, 'bond');
    t.same(
      bond.slaves.map((s) => [s.ifname, s.linkinfo?.info_slave_kind]),
      [
        ['eth0', 'bond'],
        ['eth1', 'bond'],
      ],
    );
    t.equal(bond.sysfs.slaves, 'eth0 eth1');
    t.match(bond.proc, /^Ethernet Channel Bonding Driver/m, '/proc/net/bonding is read');
    t.match(bond.proc, /^Slave Interface: eth0$/m);
    t.match(bond.proc, /^Slave Interface: eth1$/m);
    for (const family of [4, 6] as const) {
      t.ok(await topo.ping('client', 'server', { family }), `client pings server, IPv${family}`);
      t.ok(await topo.ping('server', 'client', { family }), `server pings client, IPv${family}`);
    }
    await check(topo, bond);
  });
  t.same(leaks(before), NO_LEAKS);
}

void t.test('active-backup with a primary', { skip: noBonding }, async (t) => {
  await buildAndReadBack(
    t,
    { mode: 'active-backup', miimon: 100, primary: 'eth1' },
    async (topo, b) => {
      t.equal(b.sysfs.mode, 'active-backup 1');
      t.equal(b.sysfs.miimon, '100');
      t.equal(b.sysfs.primary, 'eth1');
      t.equal(b.sysfs.active_slave, 'eth1', 'the primary is the active slave');
      t.equal(b.link?.linkinfo?.info_data?.active_slave, 'eth1');
      t.match(b.proc, /^Bonding Mode: fault-tolerance \(active-backup\)$/m);
      t.match(b.proc, /^Currently Active Slave: eth1$/m);
      t.match(b.proc, /^MII Polling Interval \(ms\): 100$/m);
      // The address is on the bond, not on its slaves.
      const { stdout } = await topo.exec('client', [
        'ip',
        '-j',
        'address',
        'show',
        'scope',
        'global',
      ]);
      const withAddress = (JSON.parse(stdout) as { ifname: string; addr_info: unknown[] }[])
        .filter((l) => l.addr_info.length > 0)
        .map((l) => l.ifname);
      t.same(withAddress, ['bond0']);
      t.match(
        (await links(topo, 'client')).find((l) => l.ifname === 'eth0'),
        { master: 'bond0' },
      );
    },
  );
});

void t.test(
  'ARP monitoring: a target named by host is the host’s address in sysfs',
  { skip: noBonding },
  async (t) => {
    await buildAndReadBack(
      t,
      { mode: 'active-backup', arp_interval: 100, arp_ip_target: ['server'], arp_validate: 'all' },
      async (topo, b) => {
        t.equal(b.sysfs.arp_ip_target, topo.address('server'));
        t.equal(b.sysfs.arp_interval, '100');
        t.equal(b.sysfs.miimon, '0');
        t.match(b.sysfs.arp_validate, /^all\b/);
        t.match(b.sysfs.active_slave, /^eth[01]$/, 'an active slave');
        t.match(b.proc, /^ARP IP target\/s \(n\.n\.n\.n form\):\s*198\.18\.0\.1$/m);
      },
    );
  },
);

void t.test('balance-xor with a hash policy', { skip: noBonding }, async (t) => {
  await buildAndReadBack(
    t,
    { mode: 'balance-xor', miimon: 50, xmit_hash_policy: 'layer3+4' },
    async (_topo, b) => {
      t.equal(b.sysfs.mode, 'balance-xor 2');
      t.equal(b.sysfs.xmit_hash_policy, 'layer3+4 1');
      t.match(b.proc, /^Transmit Hash Policy: layer3\+4 \(1\)$/m);
    },
  );
});

void t.test(
  'without a bonding driver a bond is refused with the reason, and nothing is left',
  { skip: noBonding === false ? 'this kernel has a bonding driver' : false },
  async (t) => {
    const before = snapshot();
    let error: unknown;
    try {
      await withRun((r) => Topology.build(r, bondedPair()));
    } catch (e) {
      error = e;
    }
    t.ok(error instanceof KernelUnsupportedError, 'a KernelUnsupportedError');
    t.match(error, {
      code: 'E_KERNEL_UNSUPPORTED',
      message: /^this kernel has no bonding driver \(kernel /,
      hint: /bondlab doctor/,
      cause: { code: 'E_COMMAND_FAILED', stderr: /Unknown device type/ },
    });
    t.same(leaks(before), NO_LEAKS);
  },
);
