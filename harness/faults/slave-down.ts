import type { Fault } from './fault.js';
import { bondOfSlave, type Declared } from './targets.js';

/**
 * A bond slave set administratively down on the bond's own host, then up again: what an operator's
 * `ip link set eth0 down` (or ifdown) does. Unlike a carrier loss the bond's side is the one that
 * changes; the veth peer loses carrier with it. The slave stays enslaved throughout.
 */
export function slaveDown(topology: Declared, host: string, ifname: string): Fault {
  const bond = bondOfSlave(topology, host, ifname);
  const set = (state: 'down' | 'up'): Fault['inject'] => [
    { node: host, tool: 'ip', words: ['link', 'set', 'dev', ifname, state] },
  ];
  return {
    kind: 'slave-down',
    target: `${host}:${ifname}`,
    describe: `slave ${host}:${ifname} of ${bond.name} set down`,
    inject: set('down'),
    restore: set('up'),
  };
}
