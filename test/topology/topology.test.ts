import { release } from 'node:os';
import t from 'tap';
import { BondlabError, InputError } from '../../harness/errors.js';
import { spawnCount } from '../../harness/exec/run.js';
import { RunContext, withRun } from '../../harness/lifecycle/run-context.js';
import { inIpv4Range } from '../../harness/topology/addresses.js';
import { directPair, switchedPair } from '../../harness/topology/examples.js';
import { waitForLinks } from '../../harness/topology/ready.js';
import type { TopologySpec } from '../../harness/topology/spec.js';
import type { IpLink } from '../../harness/topology/state.js';
import { Topology } from '../../harness/topology/topology.js';
import { added, isolateState, leaks, rootLinks, snapshot } from '../fixtures/host.js';

isolateState(t);

const NO_LEAKS = { netns: [], links: [] };

async function links(topo: Topology, node: string): Promise<IpLink[]> {
  const { stdout } = await topo.exec(node, ['ip', '-d', '-j', 'link', 'show']);
  return JSON.parse(stdout) as IpLink[];
}

async function link(topo: Topology, node: string, ifname: string): Promise<IpLink | undefined> {
  return (await links(topo, node)).find((l) => l.ifname === ifname);
}

interface IpAddr {
  ifname: string;
  addr_info: { family: string; local: string; prefixlen: number; scope: string }[];
}

/** Global addresses of a node as `ifname address/prefix`, from `ip -j address`. */
async function addresses(topo: Topology, node: string): Promise<string[]> {
  const { stdout } = await topo.exec(node, ['ip', '-j', 'address', 'show']);
  return (JSON.parse(stdout) as IpAddr[]).flatMap((l) =>
    l.addr_info
      .filter((a) => a.scope === 'global')
      .map((a) => `${l.ifname} ${a.local}/${a.prefixlen}`),
  );
}

interface TcQdisc {
  kind: string;
  dev: string;
  root?: boolean;
  options?: { rate?: number; burst?: number; lat?: number };
}

async function rootQdisc(topo: Topology, node: string, dev: string): Promise<TcQdisc | undefined> {
  const { stdout } = await topo.exec(node, ['tc', '-j', 'qdisc', 'show', 'dev', dev]);
  return (JSON.parse(stdout) as TcQdisc[]).find((q) => q.root === true);
}

void t.test('the switched pair: namespaces, veth pairs, a bridge, addresses, pings', async (t) => {
  const before = snapshot();
  await withRun(async (r) => {
    const spawned = spawnCount();
    const topo = await Topology.build(r, switchedPair(), { ready: 'none' });
    const namespaces = [r.netns('client'), r.netns('server'), r.netns('sw')];
    t.ok(
      spawnCount() - spawned <= 2 + namespaces.length,
      `built with ${spawnCount() - spawned} processes: one batch in the root, one per namespace`,
    );
    t.same(added(before.netns, snapshot().netns), namespaces.sort(), 'one namespace per node');
    t.same(rootLinks(), before.links, 'no link ever appears in the root namespace');

    const kinds = async (node: string): Promise<string[]> =>
      (await links(topo, node)).map(
        (l) =>
          `${l.ifname}:${l.linkinfo?.info_kind ?? '-'}${l.master === undefined ? '' : `>${l.master}`}`,
      );
    t.same(await kinds('client'), ['lo:-', 'eth0:veth', 'eth1:veth']);
    t.same(await kinds('server'), ['lo:-', 'eth0:veth']);
    t.same(await kinds('sw'), ['lo:-', 'br0:bridge', 'p1:veth>br0', 'p2:veth>br0', 'p3:veth>br0']);
    const br0 = await link(topo, 'sw', 'br0');
    t.match(br0?.linkinfo?.info_data, { stp_state: 0, forward_delay: 0, mcast_snooping: 0 });

    t.same(await addresses(topo, 'client'), [
      'eth0 198.18.0.1/24',
      'eth0 2001:2::1/64',
      'eth1 198.18.0.2/24',
      'eth1 2001:2::2/64',
    ]);
    t.same(await addresses(topo, 'server'), ['eth0 198.18.0.3/24', 'eth0 2001:2::3/64']);
    t.same(await addresses(topo, 'sw'), [], 'a switch has no address');
    for (const i of topo.resolved.interfaces) {
      t.ok(inIpv4Range(i.ipv4), `${i.ipv4} is in 198.18.0.0/15`);
      t.match(i.ipv6, /^2001:2:(0:|:)/, `${i.ipv6} is in 2001:2::/48`);
    }

    await waitForLinks(topo.resolved, (n) => r.netns(n), { signal: r.signal });
    for (const [from, to] of [
      ['client', 'server'],
      ['server', 'client'],
    ] as const) {
      for (const family of [4, 6] as const) {
        const pinged = spawnCount();
        t.ok(await topo.ping(from, to, { family }), `${from} pings ${to} over IPv${family}`);
        t.equal(spawnCount() - pinged, 1, 'a ping is one process');
      }
    }
    t.ok(await topo.ping('server', topo.address('client', 4, 'eth1')), 'and the second NIC');
    t.ok(await topo.ping('server', topo.address('client', 6, 'eth1'), { family: 6 }));

    const state = await topo.state();
    t.equal(state.kernel, release());
    t.same(Object.keys(state.links), ['client', 'server', 'sw']);
    t.same(state.bonds, []);

    t.throws(() => topo.netns('ghost'), InputError);
    t.throws(() => topo.interface('client', 'eth9'), InputError);
    await t.rejects(topo.shape('client:eth9', undefined), InputError);
  });
  t.same(leaks(before), NO_LEAKS, 'teardown removed every namespace and link');
});

void t.test(
  'port state and group_fwd_mask change what the kernel reports and forwards',
  async (t) => {
    const before = snapshot();
    const spec: TopologySpec = {
      hosts: { a: {}, b: {}, c: {} },
      switches: {
        sw: { groupFwdMask: 0x8, ports: { p2: { groupFwdMask: 0x4 }, p3: { state: 'disabled' } } },
      },
      links: [
        { a: 'a:eth0', b: 'sw:p1' },
        { a: 'b:eth0', b: 'sw:p2' },
        { a: 'c:eth0', b: 'sw:p3' },
      ],
    };
    await withRun(async (r) => {
      // Readiness pings would cross the disabled port; links are enough.
      const topo = await Topology.build(r, spec, { ready: 'links' });
      const port = async (p: string): Promise<Record<string, unknown> | undefined> =>
        (await link(topo, 'sw', p))?.linkinfo?.info_slave_data;
      t.match((await link(topo, 'sw', 'br0'))?.linkinfo?.info_data, { group_fwd_mask: '0x8' });
      t.match(await port('p1'), { state: 'forwarding', group_fwd_mask: '0' });
      t.match(await port('p2'), { state: 'forwarding', group_fwd_mask: '0x4' });
      t.match(await port('p3'), { state: 'disabled' }, 'the state from the topology stuck');
      t.ok(await topo.ping('a', 'b'), 'a reaches b');
      t.notOk(await topo.ping('a', 'c'), 'a does not reach c behind the disabled port');

      await topo.setPortState('sw', 'p3', 'forwarding');
      t.match(await port('p3'), { state: 'forwarding' });
      t.ok(await topo.ping('a', 'c'), 'a reaches c once the port forwards');

      await topo.setPortState('sw', 'p3', 'learning');
      t.match(await port('p3'), { state: 'learning' });
      t.notOk(await topo.ping('a', 'c'), 'a learning port does not forward');

      await topo.setGroupFwdMask('sw', 0x4000);
      t.match((await link(topo, 'sw', 'br0'))?.linkinfo?.info_data, { group_fwd_mask: '0x4000' });
      await topo.setGroupFwdMask('sw', 0x4, 'p1');
      t.match(await port('p1'), { group_fwd_mask: '0x4' });
      t.match(await port('p3'), { state: 'learning' }, 'another port keeps its state');

      await t.rejects(topo.setPortState('sw', 'p9', 'disabled'), {
        code: 'E_INPUT',
        message: /port: "p9" is not allowed; expected a port of sw: p1, p2, p3/,
      });
      await t.rejects(topo.setPortState('nosw', 'p1', 'disabled'), { code: 'E_INPUT' });
      await t.rejects(topo.setPortState('sw', 'p1', 'blocking' as 'disabled'), {
        code: 'E_INPUT',
        message: /expected one of disabled, listening, learning, forwarding/,
      });
    });
    t.same(leaks(before), NO_LEAKS);
  },
);

void t.test('tbf shaping and MTU show in tc and ip, and shaping can change', async (t) => {
  const before = snapshot();
  const spec: TopologySpec = {
    hosts: { a: {}, b: {} },
    links: [{ a: 'a:eth0', b: 'b:eth0', mtu: 9000, shape: { a: { kind: 'tbf', rateMbit: 10 } } }],
  };
  await withRun(async (r) => {
    const spawned = spawnCount();
    const topo = await Topology.build(r, spec, { ready: 'none' });
    t.ok(
      spawnCount() - spawned <= 2 + 2 + 1,
      'root batch, a batch per namespace, and one tc batch for the shaped namespace',
    );
    t.match(await rootQdisc(topo, 'a', 'eth0'), { kind: 'tbf', options: { rate: 1_250_000 } });
    t.not((await rootQdisc(topo, 'b', 'eth0'))?.kind, 'tbf', 'the other side is not shaped');
    t.equal((await link(topo, 'a', 'eth0'))?.mtu, 9000);
    t.equal((await link(topo, 'b', 'eth0'))?.mtu, 9000);

    await topo.shape('b:eth0', { kind: 'tbf', rateMbit: 20, burstKb: 64, latencyMs: 20 });
    t.match(await rootQdisc(topo, 'b', 'eth0'), {
      kind: 'tbf',
      options: { rate: 2_500_000 },
    });
    await topo.shape('a:eth0', undefined);
    t.not((await rootQdisc(topo, 'a', 'eth0'))?.kind, 'tbf', 'shaping removed');

    await waitForLinks(topo.resolved, (n) => r.netns(n), { signal: r.signal });
    t.ok(await topo.ping('a', 'b'));
    t.ok(await topo.ping('b', 'a', { family: 6 }));
  });
  t.same(leaks(before), NO_LEAKS);
});

void t.test('two builds at once: separate ids, no collision', async (t) => {
  const before = snapshot();
  const built: (() => void)[] = [];
  const bothBuilt = Promise.all(
    [0, 1].map((i) => new Promise<void>((resolve) => (built[i] = resolve))),
  );
  const results = await Promise.all(
    [0, 1].map((i) =>
      withRun(async (r) => {
        const topo = await Topology.build(r, switchedPair());
        built[i]?.();
        // Both topologies exist at this point.
        await bothBuilt;
        const coexisting = added(before.netns, snapshot().netns).length;
        return { id: r.id, coexisting, pinged: await topo.ping('client', 'server') };
      }),
    ),
  );
  t.not(results[0]?.id, results[1]?.id);
  for (const x of results) {
    t.equal(x.coexisting, 6, 'both runs’ namespaces exist side by side');
    t.ok(x.pinged);
  }
  t.same(leaks(before), NO_LEAKS);
});

void t.test('a build interrupted halfway leaves nothing', async (t) => {
  for (const step of ['configuring', 'waiting until ready']) {
    const before = snapshot();
    const stop = new BondlabError('E_INTERRUPTED', `stopped at ${step}`);
    let run: RunContext | undefined;
    const log = (line: string): void => {
      if (line.includes(step)) run?.abort(stop);
    };
    await t.rejects(
      withRun(
        async (r) => {
          run = r;
          await Topology.build(r, switchedPair());
        },
        { log },
      ),
      stop,
      `aborted at "${step}": the abort reason comes out`,
    );
    t.same(leaks(before), NO_LEAKS, `nothing left after an abort at "${step}"`);
  }
});

void t.test('bad input creates nothing and starts no process', async (t) => {
  const before = snapshot();
  const spawned = spawnCount();
  await t.rejects(
    withRun((r) =>
      Topology.build(r, { ...directPair(), links: [{ a: 'a:eth0', b: 'b:abcdefghijklmnop' }] }),
    ),
    { code: 'E_INPUT', field: 'topology.links[0].b' },
  );
  t.equal(spawnCount(), spawned);
  t.same(leaks(before), NO_LEAKS);
});
