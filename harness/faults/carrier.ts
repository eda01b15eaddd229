import { InputError } from '../errors.js';
import type { Topology } from '../topology/topology.js';
import type { Fault } from './fault.js';

/** The other end of the veth link that ends at `node:ifname`. */
export function linkPeer(
  topology: Topology,
  node: string,
  ifname: string,
): { node: string; ifname: string } {
  for (const link of topology.resolved.links) {
    if (link.a.node === node && link.a.ifname === ifname) return link.b;
    if (link.b.node === node && link.b.ifname === ifname) return link.a;
  }
  const all = topology.resolved.links.map((l) => `${l.a.node}:${l.a.ifname}`).join(', ');
  throw new InputError('fault.target', `${node}:${ifname}`, `expected one end of a link: ${all}`);
}

/**
 * Carrier loss on `node:ifname`: the far end of its link goes admin down, so this end loses
 * carrier (a pulled cable, a dead switch port), as miimon sees it.
 */
export function carrierLoss(topology: Topology, node: string, ifname: string): Fault {
  const peer = linkPeer(topology, node, ifname);
  return {
    kind: 'carrier-loss',
    target: `${node}:${ifname}`,
    describe: `carrier loss on ${node}:${ifname} (${peer.node}:${peer.ifname} down)`,
    inject: [{ node: peer.node, tool: 'ip', words: ['link', 'set', 'dev', peer.ifname, 'down'] }],
    restore: [{ node: peer.node, tool: 'ip', words: ['link', 'set', 'dev', peer.ifname, 'up'] }],
  };
}
