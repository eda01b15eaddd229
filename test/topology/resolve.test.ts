import t from 'tap';
import { InputError } from '../../harness/errors.js';
import { bondedPair, directPair, switchedPair } from '../../harness/topology/examples.js';
import { resolveTopology } from '../../harness/topology/resolve.js';

/** The InputError `fn` raises, as { field, value, allowed, message }. */
function refusal(fn: () => unknown): {
  field: string;
  value: unknown;
  allowed: string;
  message: string;
} {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) {
      return {
        field: error.field,
        value: error.value,
        allowed: error.allowed,
        message: error.message,
      };
    }
    throw error;
  }
  throw new Error('expected an InputError');
}

interface BondDraft {
  host: string;
  name: string;
  slaves: string[];
  options: Record<string, unknown>;
}

/** The bonded pair with its bond changed by `edit`. */
function bonded(edit: (bond: BondDraft) => void): unknown {
  const spec = bondedPair();
  const bond = structuredClone(spec.bonds?.[0]) as unknown as BondDraft;
  edit(bond);
  return { ...spec, bonds: [bond] };
}

void t.test('the switched pair: one network, addresses from the benchmarking ranges', async (t) => {
  const r = resolveTopology(switchedPair());
  t.same(r.hosts, ['client', 'server']);
  t.same(
    r.switches.map((s) => [s.name, s.bridge, s.ports.map((p) => p.ifname)]),
    [['sw', 'br0', ['p1', 'p2', 'p3']]],
  );
  t.same(
    r.interfaces.map((i) => `${i.host}:${i.ifname} ${i.ipv4}/${i.prefix4} ${i.ipv6}/${i.prefix6}`),
    [
      'client:eth0 198.18.0.1/24 2001:2::1/64',
      'client:eth1 198.18.0.2/24 2001:2::2/64',
      'server:eth0 198.18.0.3/24 2001:2::3/64',
    ],
  );
  t.same(r.bonds, []);
});

void t.test('separate links are separate networks', async (t) => {
  const r = resolveTopology({
    hosts: { a: {}, b: {}, c: {} },
    links: [
      { a: 'a:eth0', b: 'b:eth0' },
      { a: 'b:eth1', b: 'c:eth0' },
    ],
  });
  t.same(
    r.interfaces.map((i) => [i.host, i.ifname, i.segment, i.ipv4, i.ipv6]),
    [
      ['a', 'eth0', 0, '198.18.0.1', '2001:2::1'],
      ['b', 'eth0', 0, '198.18.0.2', '2001:2::2'],
      ['b', 'eth1', 1, '198.18.1.1', '2001:2:0:1::1'],
      ['c', 'eth0', 1, '198.18.1.2', '2001:2:0:1::2'],
    ],
  );
});

void t.test('a bond carries the address; its slaves carry none', async (t) => {
  const r = resolveTopology(bondedPair());
  t.same(
    r.interfaces.map((i) => `${i.host}:${i.ifname} ${i.ipv4}`),
    ['server:eth0 198.18.0.1', 'client:bond0 198.18.0.2'],
  );
  t.match(r.bonds, [
    {
      host: 'client',
      name: 'bond0',
      slaves: ['eth0', 'eth1'],
      options: { mode: 'active-backup', miimon: 100 },
    },
  ]);
});

void t.test('ARP and NS targets name a host or give its address', async (t) => {
  const r = resolveTopology(
    bonded((b) => {
      b.options = {
        mode: 'active-backup',
        arp_interval: 100,
        arp_ip_target: ['server'],
        ns_ip6_target: ['2001:2:0:0::1'],
      };
    }),
  );
  t.same(r.bonds[0]?.arpTargets, ['198.18.0.1']);
  t.same(r.bonds[0]?.nsTargets, ['2001:2::1'], 'an address written longhand is found');
});

void t.test('switch options: group_fwd_mask bits and port states', async (t) => {
  const spec = {
    hosts: { a: {} },
    switches: { sw: { groupFwdMask: 8, ports: { p1: { state: 'disabled', groupFwdMask: 4 } } } },
    links: [{ a: 'a:eth0', b: 'sw:p1' }],
  };
  t.match(resolveTopology(spec).switches, [
    { groupFwdMask: 8, ports: [{ ifname: 'p1', state: 'disabled', groupFwdMask: 4 }] },
  ]);
  t.match(
    refusal(() => resolveTopology({ ...spec, switches: { sw: { groupFwdMask: 4 } } })),
    {
      field: 'topology.switches.sw.groupFwdMask',
      value: 4,
      allowed: /the kernel refuses bits 0x7 here/,
    },
    'LACP (0x4) is refused bridge-wide',
  );
  t.match(
    refusal(() =>
      resolveTopology({ ...spec, switches: { sw: { ports: { p1: { state: 'stp' } } } } }),
    ),
    { field: 'topology.switches.sw.ports.p1.state', value: 'stp', allowed: /expected one of/ },
  );
  t.match(
    refusal(() => resolveTopology({ ...spec, switches: { sw: { ports: { p9: {} } } } })),
    {
      field: 'topology.switches.sw.ports.p9',
      allowed: 'no link ends at sw:p9; ports are p1',
    },
  );
});

void t.test('each refusal names the field, the value and what is allowed', async (t) => {
  const cases: [string, () => unknown, { field: string; value: unknown; allowed: RegExp }][] = [
    [
      'mode 7',
      () =>
        bonded((b) => {
          b.options.mode = 7;
        }),
      {
        field: 'topology.bonds[0].options.mode',
        value: 7,
        allowed: /expected a mode from 0 to 6 or one of balance-rr, active-backup/,
      },
    ],
    [
      'miimon -1',
      () =>
        bonded((b) => {
          b.options.miimon = -1;
        }),
      {
        field: 'topology.bonds[0].options.miimon',
        value: -1,
        allowed: /expected an integer from 0 to 2147483647 \(ms\)/,
      },
    ],
    [
      'an unknown bond option',
      () =>
        bonded((b) => {
          b.options.mimon = 100;
        }),
      {
        field: 'topology.bonds[0].options.mimon',
        value: 100,
        allowed: /unknown field; known fields: mode, miimon, /,
      },
    ],
    [
      'a 16-character interface name',
      () => ({ ...directPair(), links: [{ a: 'a:eth0', b: 'b:abcdefghijklmnop' }] }),
      {
        field: 'topology.links[0].b',
        value: 'b:abcdefghijklmnop',
        allowed: /an interface name is 1 to 15 characters/,
      },
    ],
    [
      'a 16-character bond name',
      () =>
        bonded((b) => {
          b.name = 'bond0123456789ab';
        }),
      {
        field: 'topology.bonds[0].name',
        value: 'bond0123456789ab',
        allowed: /1 to 15 characters/,
      },
    ],
    [
      'a bond with no slaves',
      () =>
        bonded((b) => {
          b.slaves = [];
        }),
      {
        field: 'topology.bonds[0].slaves',
        value: [],
        allowed: /a bond needs at least one slave; client has eth0, eth1/,
      },
    ],
    [
      'a slave the host does not have',
      () =>
        bonded((b) => {
          b.slaves = ['eth0', 'eth7'];
        }),
      {
        field: 'topology.bonds[0].slaves[1]',
        value: 'eth7',
        allowed: /expected one of client's link ends: eth0, eth1/,
      },
    ],
    [
      'a primary that is not a slave',
      () =>
        bonded((b) => {
          b.slaves = ['eth0'];
          b.options.primary = 'eth1';
        }),
      {
        field: 'topology.bonds[0].options.primary',
        value: 'eth1',
        allowed: /the primary must be one of the bond's slaves: eth0$/,
      },
    ],
    [
      'an arp_ip_target no host owns',
      () =>
        bonded((b) => {
          b.options = {
            mode: 'active-backup',
            arp_interval: 100,
            arp_ip_target: ['198.18.0.99'],
          };
        }),
      {
        field: 'topology.bonds[0].options.arp_ip_target[0]',
        value: '198.18.0.99',
        allowed: /a target must be a host on client:bond0's network.*: server \(198\.18\.0\.1\)/,
      },
    ],
    [
      'an arp_ip_target naming a host on another network',
      () => ({
        hosts: { a: {}, b: {}, c: {} },
        links: [
          { a: 'a:eth0', b: 'b:eth0' },
          { a: 'a:eth1', b: 'c:eth0' },
        ],
        bonds: [
          {
            host: 'a',
            name: 'bond0',
            slaves: ['eth0'],
            options: { mode: 'active-backup', arp_interval: 100, arp_ip_target: ['c'] },
          },
        ],
      }),
      {
        field: 'topology.bonds[0].options.arp_ip_target[0]',
        value: 'c',
        allowed: /: b \(198\.18\.0\.1\)$/,
      },
    ],
    [
      'an unknown top-level field',
      () => ({ ...switchedPair(), hostz: {} }),
      {
        field: 'topology.hostz',
        value: {},
        allowed: /unknown field; known fields: hosts, switches, links, bonds/,
      },
    ],
    [
      'a link to an unknown node',
      () => ({ ...directPair(), links: [{ a: 'a:eth0', b: 'ghost:eth0' }] }),
      {
        field: 'topology.links[0].b',
        value: 'ghost:eth0',
        allowed: /"ghost" is neither a host \(a, b\) nor a switch \(none\)/,
      },
    ],
    [
      'a link to a node named like an inherited property',
      () => ({ ...directPair(), links: [{ a: 'a:eth0', b: 'constructor:eth0' }] }),
      {
        field: 'topology.links[0].b',
        value: 'constructor:eth0',
        allowed: /"constructor" is neither a host \(a, b\) nor a switch \(none\)/,
      },
    ],
    [
      'a duplicate endpoint',
      () => ({
        hosts: { a: {}, b: {}, c: {} },
        links: [
          { a: 'a:eth0', b: 'b:eth0' },
          { a: 'a:eth0', b: 'c:eth0' },
        ],
      }),
      {
        field: 'topology.links[1].a',
        value: 'a:eth0',
        allowed: /already used by topology.links\[0\].a; each interface joins one link/,
      },
    ],
    [
      'a link without a colon',
      () => ({ ...directPair(), links: [{ a: 'a-eth0', b: 'b:eth0' }] }),
      { field: 'topology.links[0].a', value: 'a-eth0', allowed: /expected "node:interface"/ },
    ],
    [
      'the bridge name as a port',
      () => ({
        hosts: { a: {} },
        switches: { sw: {} },
        links: [{ a: 'a:eth0', b: 'sw:br0' }],
      }),
      { field: 'topology.links[0].b', value: 'sw:br0', allowed: /the switch's own bridge/ },
    ],
    [
      'a host name with a slash',
      () => ({ hosts: { 'a/b': {} }, links: [] }),
      { field: 'topology.hosts', value: 'a/b', allowed: /a host or switch name is 1 to 12/ },
    ],
    [
      'a host name with a space',
      () => ({ hosts: { 'a b': {} }, links: [] }),
      { field: 'topology.hosts', value: 'a b', allowed: /lowercase letters or digits/ },
    ],
    [
      'a host name in unicode',
      () => ({ hosts: { hôte: {} }, links: [] }),
      { field: 'topology.hosts', value: 'hôte', allowed: /lowercase letters or digits/ },
    ],
    [
      'a 13-character host name',
      () => ({ hosts: { abcdefghijklm: {} }, links: [] }),
      { field: 'topology.hosts', value: 'abcdefghijklm', allowed: /1 to 12 characters/ },
    ],
    [
      'an interface name in unicode',
      () => ({ ...directPair(), links: [{ a: 'a:éth0', b: 'b:eth0' }] }),
      { field: 'topology.links[0].a', value: 'a:éth0', allowed: /an interface name is/ },
    ],
    [
      'an interface name with a slash',
      () => ({ ...directPair(), links: [{ a: 'a:eth/0', b: 'b:eth0' }] }),
      { field: 'topology.links[0].a', value: 'a:eth/0', allowed: /an interface name is/ },
    ],
    [
      'a switch named like a host',
      () => ({ hosts: { a: {} }, switches: { a: {} }, links: [] }),
      { field: 'topology.switches.a', value: 'a', allowed: /cannot share a name with a host/ },
    ],
    [
      'no hosts',
      () => ({ hosts: {}, links: [] }),
      { field: 'topology.hosts', value: {}, allowed: /at least one host/ },
    ],
    [
      'an MTU out of range',
      () => ({ ...directPair(), links: [{ a: 'a:eth0', b: 'b:eth0', mtu: 65536 }] }),
      {
        field: 'topology.links[0].mtu',
        value: 65536,
        allowed: /expected an integer from 68 to 65535 \(bytes\)/,
      },
    ],
    [
      'a shaping rate of zero',
      () => ({
        ...directPair(),
        links: [{ a: 'a:eth0', b: 'b:eth0', shape: { a: { kind: 'tbf', rateMbit: 0 } } }],
      }),
      {
        field: 'topology.links[0].shape.a.rateMbit',
        value: 0,
        allowed: /expected a rate from 0.01 to 100000 Mbit\/s/,
      },
    ],
    [
      'a bond on an unknown host',
      () =>
        bonded((b) => {
          b.host = 'nobody';
        }),
      {
        field: 'topology.bonds[0].host',
        value: 'nobody',
        allowed: /expected one of the hosts: client, server/,
      },
    ],
  ];
  for (const [what, spec, expected] of cases) {
    const got = refusal(() => resolveTopology(spec()));
    t.match(got, expected, what);
    t.ok(got.message.startsWith(`${got.field}: `), `${what}: the message starts with the field`);
  }
});
