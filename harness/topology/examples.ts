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

export const EXAMPLES: Readonly<Record<string, { describe: string; spec: () => TopologySpec }>> = {
  direct: { describe: 'two hosts on one veth pair', spec: directPair },
  switched: { describe: 'client (two NICs) and server on one bridge, no bond', spec: switchedPair },
  bonded: {
    describe: 'client bond0 (active-backup, miimon 100) over two NICs into a bridge, and a server',
    spec: () => bondedPair(),
  },
};
