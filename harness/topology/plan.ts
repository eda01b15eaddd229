import { Batch } from '../exec/batch.js';
import { bondCreateWords } from './bond-options.js';
import type { ResolvedTopology } from './resolve.js';
import type { Shaping } from './spec.js';

/** veth ends are numbered from here; below it are lo and what the kernel makes by itself. */
const FIRST_IFINDEX = 100;

/**
 * The commands that build a topology, in one process of node's: an `ip -batch` of the initial
 * namespace that creates every namespace and veth pair (each end born in its namespace, so nothing
 * ever appears outside them), then runs one nested `ip -batch` per namespace and a `tc -batch` per
 * namespace that has shaping. In User-mode Linux a process of node's costs ~180 ms and ip's own
 * fork ~70 ms, and processes run side by side only slow each other down.
 */
export interface BuildPlan {
  namespaces: string[];
  /** Everything, nested batches included: commit this. */
  root: Batch;
  perNamespace: Batch[];
  shaping: Batch[];
}

export function planBuild(topo: ResolvedTopology, netnsOf: (node: string) => string): BuildPlan {
  const nodes = [...topo.hosts, ...topo.switches.map((s) => s.name)];
  const namespaces = nodes.map(netnsOf);
  const root = new Batch('ip');
  for (const ns of namespaces) root.add('netns', 'add', ns);
  // Every veth end gets an ifindex unique in the topology. Fresh namespaces number their links
  // alike (lo is 1, the first veth 2...), and when a veth's ifindex equals its peer's, linkwatch
  // takes its carrier change for a non-urgent one and delays it up to a second: a bridge port
  // stays disabled that long.
  topo.links.forEach((l, i) => {
    const mtu = l.mtu === undefined ? [] : ['mtu', l.mtu];
    const [ia, ib] = [FIRST_IFINDEX + 2 * i, FIRST_IFINDEX + 2 * i + 1];
    // `name` and `dev` everywhere: an interface called like an ip keyword (`up`) stays a name.
    const a = ['name', l.a.ifname, 'netns', netnsOf(l.a.node), 'index', ia, ...mtu];
    const b = ['name', l.b.ifname, 'netns', netnsOf(l.b.node), 'index', ib, ...mtu];
    root.add('link', 'add', ...a, 'type', 'veth', 'peer', ...b);
  });

  const batches = new Map(nodes.map((n) => [n, new Batch('ip', netnsOf(n))]));
  const batchOf = (node: string): Batch => batches.get(node) as Batch;
  for (const n of nodes) batchOf(n).add('link', 'set', 'dev', 'lo', 'up');

  for (const s of topo.switches) {
    const b = batchOf(s.name);
    const mask = s.groupFwdMask === undefined ? [] : ['group_fwd_mask', s.groupFwdMask];
    // No STP and no forward delay: a port forwards as soon as it is up, as on an unmanaged switch.
    // No multicast snooping: NS and IGMP probes of the bond reach every port.
    b.add(
      'link',
      'add',
      'name',
      s.bridge,
      'type',
      'bridge',
      'stp_state',
      0,
      'forward_delay',
      0,
      'mcast_snooping',
      0,
      ...mask,
    );
    for (const p of s.ports) {
      b.add('link', 'set', 'dev', p.ifname, 'master', s.bridge);
      // Port states are set by Topology.build once the port is up: the kernel refuses them before.
      if (p.groupFwdMask !== undefined)
        b.add(
          'link',
          'set',
          'dev',
          p.ifname,
          'type',
          'bridge_slave',
          'group_fwd_mask',
          p.groupFwdMask,
        );
      b.add('link', 'set', 'dev', p.ifname, 'up');
    }
    b.add('link', 'set', 'dev', s.bridge, 'up');
  }

  for (const bond of topo.bonds) {
    const b = batchOf(bond.host);
    b.add(
      'link',
      'add',
      'name',
      bond.name,
      'type',
      'bond',
      ...bondCreateWords(bond.options, { arp: bond.arpTargets, ns: bond.nsTargets }),
    );
    for (const s of bond.slaves) b.add('link', 'set', 'dev', s, 'master', bond.name);
    // The primary must name an existing slave, so it is set once the slaves are in.
    if (bond.options.primary !== undefined)
      b.add('link', 'set', 'dev', bond.name, 'type', 'bond', 'primary', bond.options.primary);
  }
  for (const h of topo.hosts) {
    const b = batchOf(h);
    const ends = topo.links.flatMap((l) => [l.a, l.b]).filter((e) => e.node === h);
    for (const e of ends) b.add('link', 'set', 'dev', e.ifname, 'up');
    for (const bond of topo.bonds.filter((x) => x.host === h))
      b.add('link', 'set', 'dev', bond.name, 'up');
    for (const i of topo.interfaces.filter((x) => x.host === h)) {
      b.add('address', 'add', `${i.ipv4}/${i.prefix4}`, 'dev', i.ifname);
      // nodad: the address is usable at once instead of after duplicate detection.
      b.add('address', 'add', `${i.ipv6}/${i.prefix6}`, 'dev', i.ifname, 'nodad');
    }
  }

  const tcBatches = new Map<string, Batch>();
  for (const l of topo.links) {
    for (const side of ['a', 'b'] as const) {
      const shape = l.shape[side];
      if (shape === undefined) continue;
      const end = l[side];
      let b = tcBatches.get(end.node);
      if (b === undefined) {
        b = new Batch('tc', netnsOf(end.node));
        tcBatches.set(end.node, b);
      }
      b.add('qdisc', 'replace', 'dev', end.ifname, 'root', ...shapingWords(shape));
    }
  }
  const perNamespace = [...batches.values()];
  const shaping = [...tcBatches.values()];
  for (const b of [...perNamespace, ...shaping]) root.nest(b);
  return { namespaces, root, perNamespace, shaping };
}

/** tc words for a shaping, with a burst large enough for a 100 Hz kernel (UML) at that rate. */
export function shapingWords(shape: Shaping): string[] {
  const bytesPerSecond = (shape.rateMbit * 1e6) / 8;
  const burst = shape.burstKb ?? Math.max(32, Math.ceil(bytesPerSecond / 50 / 1024));
  return [
    'tbf',
    'rate',
    `${shape.rateMbit}mbit`,
    'burst',
    `${burst}kb`,
    'latency',
    `${shape.latencyMs ?? 50}ms`,
  ];
}
