import { PORT_STATES, type PortState } from '../topology/spec.js';
import type { Topology } from '../topology/topology.js';
import type { Fault } from './fault.js';
import { switchPort } from './targets.js';

/**
 * A switch port disabled (bridge port state `disabled`, then back to `forwarding`): traffic
 * through it stops both ways at once while every carrier stays up. Nothing but the bridge changes,
 * which makes it the clean, known-length outage calibration needs.
 */
export function portDisabled(topology: Topology, switchName: string, port: string): Fault {
  switchPort(topology, switchName, port);
  // `bridge link set`, not `ip link set ... type bridge_slave state`: the latter also announces a
  // link change, on which the bridge re-enables a disabled port at once.
  const state = (s: PortState): (string | number)[] => [
    'link',
    'set',
    'dev',
    port,
    'state',
    PORT_STATES.indexOf(s),
  ];
  return {
    kind: 'port-disabled',
    target: `${switchName}:${port}`,
    describe: `switch port ${switchName}:${port} disabled`,
    inject: [{ node: switchName, tool: 'bridge', words: state('disabled') }],
    restore: [{ node: switchName, tool: 'bridge', words: state('forwarding') }],
  };
}
