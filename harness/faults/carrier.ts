import type { Topology } from '../topology/topology.js';
import type { Fault } from './fault.js';
import { linkEnd } from './targets.js';

/**
 * Carrier loss on `node:ifname`: the far end of its link goes admin down, so this end loses
 * carrier (a pulled cable, a dead switch port), as miimon sees it.
 */
export function carrierLoss(topology: Topology, node: string, ifname: string): Fault {
  const { peer } = linkEnd(topology, node, ifname);
  return {
    kind: 'carrier-loss',
    target: `${node}:${ifname}`,
    describe: `carrier loss on ${node}:${ifname} (${peer.node}:${peer.ifname} down)`,
    inject: [{ node: peer.node, tool: 'ip', words: ['link', 'set', 'dev', peer.ifname, 'down'] }],
    restore: [{ node: peer.node, tool: 'ip', words: ['link', 'set', 'dev', peer.ifname, 'up'] }],
  };
}
