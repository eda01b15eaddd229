import { InputError } from '../errors.js';
import { MAX_HOSTS_PER_SEGMENT, MAX_SEGMENTS, segmentAddress } from './addresses.js';
import { endpointKey } from './endpoint.js';
import type { BondDraft } from './resolve-bonds.js';
import { linkEnds, type ResolvedLink } from './resolve-links.js';
import type { ResolvedSwitch } from './resolve-switches.js';

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

/**
 * Groups interfaces into layer-2 segments (links join their ends, switches join their ports, bonds
 * join their slaves) and gives every addressed interface the next address on its segment: host link
 * ends that are not slaves first, in link order, then bonds. Raises an InputError on `field.links`
 * when the segments or their hosts outgrow the address ranges.
 */
export function allocateInterfaces(
  field: string,
  hosts: readonly string[],
  links: readonly ResolvedLink[],
  switches: readonly ResolvedSwitch[],
  bonds: readonly Pick<BondDraft, 'host' | 'name' | 'slaves'>[],
): L3Interface[] {
  const seg = new Segments();
  for (const l of links)
    seg.union(endpointKey(l.a.node, l.a.ifname), endpointKey(l.b.node, l.b.ifname));
  for (const s of switches)
    for (const p of s.ports)
      seg.union(endpointKey(s.name, p.ifname), endpointKey(s.name, s.bridge));
  for (const b of bonds)
    for (const s of b.slaves) seg.union(endpointKey(b.host, s), endpointKey(b.host, b.name));

  const enslaved = new Set(bonds.flatMap((b) => b.slaves.map((s) => endpointKey(b.host, s))));
  const l3: { host: string; ifname: string }[] = [
    ...linkEnds(links)
      .filter((e) => hosts.includes(e.node) && !enslaved.has(endpointKey(e.node, e.ifname)))
      .map((e) => ({ host: e.node, ifname: e.ifname })),
    ...bonds.map((b) => ({ host: b.host, ifname: b.name })),
  ];
  const segmentIndex = new Map<string, number>();
  const perSegment = new Map<number, number>();
  return l3.map(({ host, ifname }) => {
    const root = seg.find(endpointKey(host, ifname));
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
}
