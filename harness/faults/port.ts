import { InputError } from '../errors.js';
import { PORT_STATES, type PortState } from '../topology/spec.js';
import type { Topology } from '../topology/topology.js';
import type { Fault } from './fault.js';

/**
 * A switch port disabled (bridge port state `disabled`, then back to `forwarding`): traffic
 * through it stops both ways at once while every carrier stays up. Nothing but the bridge changes,
 * which makes it the clean, known-length outage calibration needs.
 */
export function portDisabled(topology: Topology, switchName: string, port: string): Fault {
  const sw = topology.resolved.switches.find((s) => s.name === switchName);
  if (sw === undefined) {
    const all = topology.resolved.switches.map((s) => s.name).join(', ') || 'none';
    throw new InputError('fault.switch', switchName, `expected a switch: ${all}`);
  }
  if (!sw.ports.some((p) => p.ifname === port)) {
    throw new InputError(
      'fault.port',
      port,
      `expected a port of ${switchName}: ${sw.ports.map((p) => p.ifname).join(', ')}`,
    );
  }
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
