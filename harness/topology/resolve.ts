import { isIPv4 } from 'node:net';
import { InputError } from '../errors.js';
import { MAX_HOSTS_PER_SEGMENT, MAX_SEGMENTS, segmentAddress } from './addresses.js';
import { parseBondOptions, type BondOptions } from './bond-options.js';
import { PORT_STATES, type PortState, type Shaping } from './spec.js';
import {
  expectArray,
  expectInteger,
  expectKnownKeys,
  expectName,
  expectRecord,
  IFNAME_PATTERN,
  IFNAME_RULE,
  NODE_NAME_PATTERN,
  NODE_NAME_RULE,
} from './validate.js';

export interface Endpoint {
  node: string;
  ifname: string;
}

export interface ResolvedLink {
  a: Endpoint;
  b: Endpoint;
  mtu: number | undefined;
  shape: { a: Shaping | undefined; b: Shaping | undefined };
}

export interface ResolvedPort {
  ifname: string;
  state: PortState | undefined;
  groupFwdMask: number | undefined;
}

export interface ResolvedSwitch {
  name: string;
  bridge: string;
  groupFwdMask: number | undefined;
  ports: ResolvedPort[];
}

export interface ResolvedBond {
  host: string;
  name: string;
  slaves: string[];
  options: BondOptions;
  /** arp_ip_target and ns_ip6_target as addresses. */
  arpTargets: string[];
  nsTargets: string[];
}

/** An interface that carries addresses: a bond, or a host's link end that is not a slave. */
export interface L3Interface {
  host: string;
  ifname: string;
  segment: number;
  ipv4: string;
  ipv6: string;
  prefix4: number;
  prefix6: number;
}

/** A topology that passed validation, with every name checked and every address allocated. */
export interface ResolvedTopology {
  hosts: string[];
  switches: ResolvedSwitch[];
  links: ResolvedLink[];
  bonds: ResolvedBond[];
  interfaces: L3Interface[];
}

const BRIDGE_NAME = 'br0';

function parseEndpoint(field: string, value: unknown): Endpoint {
  const rule = 'expected "node:interface", e.g. "client:eth0"';
  if (typeof value !== 'string') throw new InputError(field, value, rule);
  const at = value.indexOf(':');
  if (at === -1) throw new InputError(field, value, rule);
  const node = value.slice(0, at);
  const ifname = value.slice(at + 1);
  if (!NODE_NAME_PATTERN.test(node))
    throw new InputError(field, value, `${rule}; ${NODE_NAME_RULE}`);
  if (!IFNAME_PATTERN.test(ifname)) throw new InputError(field, value, `${rule}; ${IFNAME_RULE}`);
  return { node, ifname };
}

function parseShaping(field: string, value: unknown): Shaping | undefined {
  if (value === undefined) return undefined;
  const s = expectRecord(field, value);
  expectKnownKeys(field, s, ['kind', 'rateMbit', 'burstKb', 'latencyMs']);
  if (s.kind !== 'tbf') throw new InputError(`${field}.kind`, s.kind, 'expected "tbf"');
  const rate = s.rateMbit;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0.01 || rate > 100_000) {
    throw new InputError(`${field}.rateMbit`, rate, 'expected a rate from 0.01 to 100000 Mbit/s');
  }
  return {
    kind: 'tbf',
    rateMbit: rate,
    ...(s.burstKb === undefined
      ? {}
      : { burstKb: expectInteger(`${field}.burstKb`, s.burstKb, 2, 1_048_576, 'KiB') }),
    ...(s.latencyMs === undefined
      ? {}
      : { latencyMs: expectInteger(`${field}.latencyMs`, s.latencyMs, 1, 10_000, 'ms') }),
  };
}

/** Union-find over "node:ifname" keys: which interfaces share a layer-2 segment. */
class Segments {
  readonly #parent = new Map<string, string>();
  find(k: string): string {
    let p = this.#parent.get(k) ?? k;
    if (p !== k) {
      p = this.find(p);
      this.#parent.set(k, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent.set(ra, rb);
  }
}

const key = (node: string, ifname: string): string => `${node}:${ifname}`;

/**
 * Validates a topology where it enters and allocates its addresses. Raises an InputError naming the
 * field, the value and what is allowed; never touches the kernel.
 */
export function resolveTopology(input: unknown, field = 'topology'): ResolvedTopology {
  const spec = expectRecord(field, input);
  expectKnownKeys(field, spec, ['hosts', 'switches', 'links', 'bonds']);
  const hostsIn = expectRecord(`${field}.hosts`, spec.hosts);
  const switchesIn = expectRecord(`${field}.switches`, spec.switches ?? {});
  const hosts = Object.keys(hostsIn);
  if (hosts.length === 0)
    throw new InputError(`${field}.hosts`, spec.hosts, 'expected at least one host');
  for (const h of hosts) {
    expectName(`${field}.hosts`, h, NODE_NAME_PATTERN, NODE_NAME_RULE);
    const hostSpec = expectRecord(`${field}.hosts.${h}`, hostsIn[h]);
    expectKnownKeys(`${field}.hosts.${h}`, hostSpec, []);
  }
  for (const s of Object.keys(switchesIn)) {
    expectName(`${field}.switches`, s, NODE_NAME_PATTERN, NODE_NAME_RULE);
    if (hosts.includes(s))
      throw new InputError(`${field}.switches.${s}`, s, 'a switch cannot share a name with a host');
  }

  // Links: every endpoint names a known node and is used once.
  const used = new Map<string, string>();
  const links: ResolvedLink[] = expectArray(`${field}.links`, spec.links).map((raw, i) => {
    const f = `${field}.links[${i}]`;
    const l = expectRecord(f, raw);
    expectKnownKeys(f, l, ['a', 'b', 'mtu', 'shape']);
    const ends = (['a', 'b'] as const).map((side) => {
      const e = parseEndpoint(`${f}.${side}`, l[side]);
      if (!hosts.includes(e.node) && !(e.node in switchesIn)) {
        throw new InputError(
          `${f}.${side}`,
          l[side],
          `"${e.node}" is neither a host (${hosts.join(', ')}) nor a switch (${Object.keys(switchesIn).join(', ') || 'none'})`,
        );
      }
      if (e.node in switchesIn && e.ifname === BRIDGE_NAME) {
        throw new InputError(
          `${f}.${side}`,
          l[side],
          `"${BRIDGE_NAME}" is the switch's own bridge; name the port differently`,
        );
      }
      const k = key(e.node, e.ifname);
      const before = used.get(k);
      if (before !== undefined)
        throw new InputError(
          `${f}.${side}`,
          l[side],
          `already used by ${before}; each interface joins one link`,
        );
      used.set(k, `${f}.${side}`);
      return e;
    }) as [Endpoint, Endpoint];
    const shape = l.shape === undefined ? {} : expectRecord(`${f}.shape`, l.shape);
    expectKnownKeys(`${f}.shape`, shape, ['a', 'b']);
    return {
      a: ends[0],
      b: ends[1],
      mtu: l.mtu === undefined ? undefined : expectInteger(`${f}.mtu`, l.mtu, 68, 65535, 'bytes'),
      shape: { a: parseShaping(`${f}.shape.a`, shape.a), b: parseShaping(`${f}.shape.b`, shape.b) },
    };
  });

  const switches: ResolvedSwitch[] = Object.entries(switchesIn).map(([name, raw]) => {
    const f = `${field}.switches.${name}`;
    const s = expectRecord(f, raw);
    expectKnownKeys(f, s, ['groupFwdMask', 'ports']);
    const portsIn = expectRecord(`${f}.ports`, s.ports ?? {});
    const portNames = links
      .flatMap((l) => [l.a, l.b])
      .filter((e) => e.node === name)
      .map((e) => e.ifname);
    for (const p of Object.keys(portsIn)) {
      if (!portNames.includes(p))
        throw new InputError(
          `${f}.ports.${p}`,
          p,
          `no link ends at ${name}:${p}; ports are ${portNames.join(', ') || 'none'}`,
        );
    }
    return {
      name,
      bridge: BRIDGE_NAME,
      // The kernel refuses STP, pause and LACP (0x7) bridge-wide; per port, LACP may pass.
      groupFwdMask:
        s.groupFwdMask === undefined
          ? undefined
          : expectMask(`${f}.groupFwdMask`, s.groupFwdMask, 0xfff8),
      ports: portNames.map((ifname) => {
        const pf = `${f}.ports.${ifname}`;
        const p = expectRecord(pf, portsIn[ifname] ?? {});
        expectKnownKeys(pf, p, ['state', 'groupFwdMask']);
        if (p.state !== undefined && !PORT_STATES.includes(p.state as PortState)) {
          throw new InputError(`${pf}.state`, p.state, `expected one of ${PORT_STATES.join(', ')}`);
        }
        return {
          ifname,
          state: p.state as PortState | undefined,
          groupFwdMask:
            p.groupFwdMask === undefined
              ? undefined
              : expectMask(`${pf}.groupFwdMask`, p.groupFwdMask, 0xfffe),
        };
      }),
    };
  });

  // Bonds: slaves are this host's link ends, each enslaved once.
  const enslaved = new Map<string, string>();
  const bondsDraft = expectArray(`${field}.bonds`, spec.bonds ?? []).map((raw, i) => {
    const f = `${field}.bonds[${i}]`;
    const b = expectRecord(f, raw);
    expectKnownKeys(f, b, ['host', 'name', 'slaves', 'options']);
    if (typeof b.host !== 'string' || !hosts.includes(b.host)) {
      throw new InputError(`${f}.host`, b.host, `expected one of the hosts: ${hosts.join(', ')}`);
    }
    const host = b.host;
    const name = expectName(`${f}.name`, b.name, IFNAME_PATTERN, IFNAME_RULE);
    if (used.has(key(host, name)))
      throw new InputError(`${f}.name`, name, `${host} already has an interface ${name}`);
    used.set(key(host, name), `${f}.name`);
    const own = links
      .flatMap((l) => [l.a, l.b])
      .filter((e) => e.node === host)
      .map((e) => e.ifname);
    const slavesIn = expectArray(`${f}.slaves`, b.slaves);
    if (slavesIn.length === 0)
      throw new InputError(
        `${f}.slaves`,
        b.slaves,
        `a bond needs at least one slave; ${host} has ${own.join(', ') || 'no links'}`,
      );
    const slaves = slavesIn.map((s, j) => {
      const sf = `${f}.slaves[${j}]`;
      if (typeof s !== 'string' || !own.includes(s))
        throw new InputError(
          sf,
          s,
          `expected one of ${host}'s link ends: ${own.join(', ') || 'none'}`,
        );
      const taken = enslaved.get(key(host, s));
      if (taken !== undefined) throw new InputError(sf, s, `already a slave of ${taken}`);
      enslaved.set(key(host, s), name);
      return s;
    });
    return {
      host,
      name,
      slaves,
      options: parseBondOptions(`${f}.options`, b.options, slaves),
      field: f,
    };
  });

  // Segments: links join their ends, switches join their ports, bonds join their slaves.
  const seg = new Segments();
  for (const l of links) seg.union(key(l.a.node, l.a.ifname), key(l.b.node, l.b.ifname));
  for (const s of switches)
    for (const p of s.ports) seg.union(key(s.name, p.ifname), key(s.name, s.bridge));
  for (const b of bondsDraft)
    for (const s of b.slaves) seg.union(key(b.host, s), key(b.host, b.name));

  const l3: { host: string; ifname: string }[] = [
    ...links
      .flatMap((l) => [l.a, l.b])
      .filter((e) => hosts.includes(e.node) && !enslaved.has(key(e.node, e.ifname)))
      .map((e) => ({ host: e.node, ifname: e.ifname })),
    ...bondsDraft.map((b) => ({ host: b.host, ifname: b.name })),
  ];
  const segmentIndex = new Map<string, number>();
  const perSegment = new Map<number, number>();
  const interfaces: L3Interface[] = l3.map(({ host, ifname }) => {
    const root = seg.find(key(host, ifname));
    let s = segmentIndex.get(root);
    if (s === undefined) {
      s = segmentIndex.size;
      if (s >= MAX_SEGMENTS)
        throw new InputError(
          `${field}.links`,
          links.length,
          `at most ${MAX_SEGMENTS} separate networks fit in 198.18.0.0/15`,
        );
      segmentIndex.set(root, s);
    }
    const n = (perSegment.get(s) ?? 0) + 1;
    if (n > MAX_HOSTS_PER_SEGMENT)
      throw new InputError(
        `${field}.links`,
        links.length,
        `at most ${MAX_HOSTS_PER_SEGMENT} interfaces fit on one network`,
      );
    perSegment.set(s, n);
    return { host, ifname, segment: s, ...segmentAddress(s, n) };
  });

  const bonds: ResolvedBond[] = bondsDraft.map(({ field: f, ...b }) => {
    const own = interfaces.find((x) => x.host === b.host && x.ifname === b.name) as L3Interface;
    const peers = interfaces.filter((x) => x.segment === own.segment && x !== own);
    const resolveTarget = (
      t: string,
      j: number,
      option: 'arp_ip_target' | 'ns_ip6_target',
    ): string => {
      const family = option === 'arp_ip_target' ? 'ipv4' : 'ipv6';
      const tf = `${f}.options.${option}[${j}]`;
      const owner = NODE_NAME_PATTERN.test(t)
        ? peers.find((x) => x.host === t)
        : peers.find((x) => sameAddress(x[family], t));
      if (owner === undefined) {
        const choices = peers.map((x) => `${x.host} (${x[family]})`).join(', ') || 'none';
        throw new InputError(
          tf,
          t,
          `a target must be a host on ${b.host}:${b.name}'s network, by name or address: ${choices}`,
        );
      }
      return owner[family];
    };
    return {
      ...b,
      arpTargets: (b.options.arp_ip_target ?? []).map((t, j) =>
        resolveTarget(t, j, 'arp_ip_target'),
      ),
      nsTargets: (b.options.ns_ip6_target ?? []).map((t, j) =>
        resolveTarget(t, j, 'ns_ip6_target'),
      ),
    };
  });
  return { hosts, switches, links, bonds, interfaces };
}

function sameAddress(a: string, b: string): boolean {
  if (isIPv4(a) || isIPv4(b)) return a === b;
  return expandIpv6(a) === expandIpv6(b);
}

function expandIpv6(a: string): string {
  const [head = '', tail = ''] = a.toLowerCase().split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = a.includes('::')
    ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
    : h;
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

function expectMask(field: string, value: unknown, allowed: number): number {
  const n = expectInteger(field, value, 0, 0xffff);
  if ((n & ~allowed) !== 0) {
    throw new InputError(
      field,
      value,
      `the kernel refuses bits 0x${(~allowed & 0xffff).toString(16)} here; allowed bits are 0x${allowed.toString(16)}`,
    );
  }
  return n;
}
