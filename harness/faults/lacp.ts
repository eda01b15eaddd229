import { InputError } from '../errors.js';
import type { Fault, FaultStep } from './fault.js';
import { switchPort, type Declared } from './targets.js';

/** group_fwd_mask bit for 01:80:c2:00:00:02, the Slow Protocols address LACPDUs go to. */
export const LACP_FWD_BIT = 0x4;

/**
 * LACPDUs stop crossing one switch port while data still does: the port's group_fwd_mask loses
 * the LACP bit, so the bridge keeps the LACPDUs that arrive on that port to itself (the mask acts
 * where a frame enters). The 802.3ad bond behind the port's far side stops hearing its partner on
 * that link; with lacp_rate fast it gives up on it after 3 s (short timeout), with slow after 90 s.
 * The port must forward LACPDUs to begin with (its groupFwdMask includes 4 in the topology);
 * restore puts its declared mask back.
 *
 * It goes through `ip link set ... type bridge_slave` (`bridge link` cannot set the mask), which
 * announces a link change: the bridge then re-enables the port if it was disabled. Do not combine
 * it with a disabled-port fault on the same port.
 */
export function lacpduLoss(topology: Declared, switchName: string, port: string): Fault {
  const { port: p } = switchPort(topology, switchName, port);
  const mask = p.groupFwdMask ?? 0;
  if ((mask & LACP_FWD_BIT) === 0) {
    throw new InputError(
      'fault.port',
      port,
      `LACPDUs do not cross ${switchName}:${port} to begin with (group_fwd_mask 0x${mask.toString(16)}); give the port groupFwdMask 4 in the topology`,
    );
  }
  const set = (m: number): FaultStep[] => [
    {
      node: switchName,
      tool: 'ip',
      words: ['link', 'set', 'dev', port, 'type', 'bridge_slave', 'group_fwd_mask', m],
    },
  ];
  return {
    kind: 'lacpdu-loss',
    target: `${switchName}:${port}`,
    describe: `LACPDUs entering ${switchName}:${port} dropped, data still forwarded`,
    inject: set(mask & ~LACP_FWD_BIT),
    restore: set(mask),
  };
}
