import type { BondOptionsInput } from './bond-options.js';
import type { TopologySpec } from './spec.js';

/**
 * The standard topology: a client whose two NICs are bonded into a switch, and a server on the
 * same switch. The seed deployment of the project (RHEL-style bond0 over eth0 and eth1).
 */
export function bondedPair(
  options: BondOptionsInput = { mode: 'active-backup', miimon: 100 },
): TopologySpec {
  return {
    hosts: { client: {}, server: {} },
    switches: { sw: {} },
    links: [
      { a: 'client:eth0', b: 'sw:p1' },
      { a: 'client:eth1', b: 'sw:p2' },
      { a: 'server:eth0', b: 'sw:p3' },
    ],
    bonds: [{ host: 'client', name: 'bond0', slaves: ['eth0', 'eth1'], options }],
  };
}

/** The standard topology without the bond: the client's two NICs each carry an address. */
export function switchedPair(): TopologySpec {
  const spec = bondedPair();
  delete spec.bonds;
  return spec;
}

/** Two hosts on one veth pair. */
export function directPair(): TopologySpec {
  return { hosts: { a: {}, b: {} }, links: [{ a: 'a:eth0', b: 'b:eth0' }] };
}

/**
 * A client dual-homed to two access switches, each with an uplink to a core switch where the
 * server sits: client bond0 over eth0 (to sw1) and eth1 (to sw2); sw1:uplink and sw2:uplink into
 * core. The seed deployment's blind spot: when an access switch's uplink dies, the bond's carriers
 * all stay up, so miimon sees nothing; only the ARP (or NS) monitor notices. No loop: the client's
 * bond forwards nothing between its slaves.
 */
export function uplinkPair(
  options: BondOptionsInput = { mode: 'active-backup', miimon: 100 },
): TopologySpec {
  return {
    hosts: { client: {}, server: {} },
    switches: { sw1: {}, sw2: {}, core: {} },
    links: [
      { a: 'client:eth0', b: 'sw1:p1' },
      { a: 'client:eth1', b: 'sw2:p1' },
      { a: 'sw1:uplink', b: 'core:p1' },
      { a: 'sw2:uplink', b: 'core:p2' },
      { a: 'server:eth0', b: 'core:p3' },
    ],
    bonds: [{ host: 'client', name: 'bond0', slaves: ['eth0', 'eth1'], options }],
  };
}

/**
 * Two 802.3ad bonds facing each other: client bond0 and server bond0, each over eth0 and eth1, eth0
 * to eth0 through switch swa and eth1 to eth1 through swb. Every port forwards LACPDUs
 * (group_fwd_mask bit 2), which a Linux bridge otherwise keeps to itself, so the two bonds
 * negotiate with each other across the switches. `options` apply to both bonds.
 */
export function lacpPair(
  options: BondOptionsInput = { mode: '802.3ad', miimon: 100, lacp_rate: 'fast' },
): TopologySpec {
  const lacp = { groupFwdMask: 0x4 };
  return {
    hosts: { client: {}, server: {} },
    switches: { swa: { ports: { p1: lacp, p2: lacp } }, swb: { ports: { p1: lacp, p2: lacp } } },
    links: [
      { a: 'client:eth0', b: 'swa:p1' },
      { a: 'server:eth0', b: 'swa:p2' },
      { a: 'client:eth1', b: 'swb:p1' },
      { a: 'server:eth1', b: 'swb:p2' },
    ],
    bonds: [
      { host: 'client', name: 'bond0', slaves: ['eth0', 'eth1'], options },
      { host: 'server', name: 'bond0', slaves: ['eth0', 'eth1'], options },
    ],
  };
}

export const EXAMPLES: Readonly<Record<string, { describe: string; spec: () => TopologySpec }>> = {
  direct: { describe: 'two hosts on one veth pair', spec: directPair },
  switched: { describe: 'client (two NICs) and server on one bridge, no bond', spec: switchedPair },
  bonded: {
    describe: 'client bond0 (active-backup, miimon 100) over two NICs into a bridge, and a server',
    spec: () => bondedPair(),
  },
};
