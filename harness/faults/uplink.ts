import { InputError } from '../errors.js';
import { PORT_STATES, type PortState } from '../topology/spec.js';
import type { Fault, FaultStep } from './fault.js';
import { linkEnd, switchPort, type Declared } from './targets.js';

/**
 * A silent failure beyond a switch: the uplink `switchName:uplink` (a port linked to another
 * switch) stops carrying traffic while every carrier stays up. The far switch's port on that link
 * is disabled (bridge port state, as `portDisabled` does), so frames die past the first switch
 * both ways and no interface anywhere changes state. A bond on the near switch keeps its carrier:
 * miimon sees nothing, only the ARP (or NS) monitor can notice. Restore puts back the far port's
 * declared state (forwarding unless the topology says otherwise).
 */
export function uplinkFailure(topology: Declared, switchName: string, uplink: string): Fault {
  const { sw } = switchPort(topology, switchName, uplink);
  const switchAt = (port: string) => {
    const { peer } = linkEnd(topology, switchName, port);
    return { peer, far: topology.resolved.switches.find((s) => s.name === peer.node) };
  };
  const { peer, far } = switchAt(uplink);
  if (far === undefined) {
    const uplinks = sw.ports.filter((p) => switchAt(p.ifname).far !== undefined);
    throw new InputError(
      'fault.port',
      uplink,
      `expected a port of ${switchName} linked to another switch (this one leads to host ${peer.node}): ${uplinks.map((p) => p.ifname).join(', ') || 'none'}`,
    );
  }
  const declared = far.ports.find((p) => p.ifname === peer.ifname)?.state ?? 'forwarding';
  // `bridge link set`, not `ip link set ... type bridge_slave state`: the latter announces a link
  // change, on which the bridge re-enables the disabled port at once.
  const state = (s: PortState): FaultStep[] => [
    {
      node: far.name,
      tool: 'bridge',
      words: ['link', 'set', 'dev', peer.ifname, 'state', PORT_STATES.indexOf(s)],
    },
  ];
  return {
    kind: 'uplink-failure',
    target: `${switchName}:${uplink}`,
    describe: `uplink ${switchName}:${uplink} dead beyond the switch (${far.name}:${peer.ifname} disabled, carriers up)`,
    inject: state('disabled'),
    restore: state(declared),
  };
}
