import { InputError } from '../errors.js';
import type {
  Endpoint,
  ResolvedBond,
  ResolvedLink,
  ResolvedPort,
  ResolvedSwitch,
} from '../topology/resolve.js';
import type { Topology } from '../topology/topology.js';

/**
 * What a fault factory reads of a topology: its checked declaration. A built Topology is one; so
 * is `{ resolved: resolveTopology(spec) }`, which lets a target be checked before anything exists.
 */
export type Declared = Pick<Topology, 'resolved'>;

/** A switch and one of its ports, or an InputError naming what exists. */
export function switchPort(
  topology: Declared,
  switchName: string,
  port: string,
): { sw: ResolvedSwitch; port: ResolvedPort } {
  const sw = topology.resolved.switches.find((s) => s.name === switchName);
  if (sw === undefined) {
    const all = topology.resolved.switches.map((s) => s.name).join(', ') || 'none';
    throw new InputError('fault.switch', switchName, `expected a switch: ${all}`);
  }
  const found = sw.ports.find((p) => p.ifname === port);
  if (found === undefined) {
    throw new InputError(
      'fault.port',
      port,
      `expected a port of ${switchName}: ${sw.ports.map((p) => p.ifname).join(', ')}`,
    );
  }
  return { sw, port: found };
}

/** The link that ends at `node:ifname`, which side of it that is, and the other end. */
export function linkEnd(
  topology: Declared,
  node: string,
  ifname: string,
): { link: ResolvedLink; side: 'a' | 'b'; peer: Endpoint } {
  for (const link of topology.resolved.links) {
    if (link.a.node === node && link.a.ifname === ifname) return { link, side: 'a', peer: link.b };
    if (link.b.node === node && link.b.ifname === ifname) return { link, side: 'b', peer: link.a };
  }
  const all = topology.resolved.links
    .flatMap((l) => [l.a, l.b])
    .map((e) => `${e.node}:${e.ifname}`)
    .join(', ');
  throw new InputError('fault.target', `${node}:${ifname}`, `expected a link end: ${all}`);
}

/** The bond that `host:ifname` is a slave of, or an InputError listing every slave. */
export function bondOfSlave(topology: Declared, host: string, ifname: string): ResolvedBond {
  const bond = topology.resolved.bonds.find((b) => b.host === host && b.slaves.includes(ifname));
  if (bond === undefined) {
    const all = topology.resolved.bonds
      .flatMap((b) => b.slaves.map((s) => `${b.host}:${s}`))
      .join(', ');
    throw new InputError(
      'fault.target',
      `${host}:${ifname}`,
      `expected a slave of a bond: ${all || 'this topology has no bonds'}`,
    );
  }
  return bond;
}
