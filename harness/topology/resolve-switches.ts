import { InputError } from '../errors.js';
import type { Endpoint } from './endpoint.js';
import { PORT_STATES, type PortState } from './spec.js';
import { expectInteger, expectKnownKeys, expectRecord, optional } from './validate.js';

/** Every switch's bridge has this name inside the switch's namespace. */
export const BRIDGE_NAME = 'br0';

export interface ResolvedPort {
  ifname: string;
  state: PortState | undefined;
  groupFwdMask: number | undefined;
}

export interface ResolvedSwitch {
  name: string;
  bridge: string;
  groupFwdMask: number | undefined;
  ports: ResolvedPort[];
}

/**
 * Checks `topology.switches` against the link ends: a switch's ports are the links that end at it,
 * and per-port settings may name only those.
 */
export function resolveSwitches(
  field: string,
  switches: Record<string, unknown>,
  ends: readonly Endpoint[],
): ResolvedSwitch[] {
  return Object.entries(switches).map(([name, raw]) => {
    const f = `${field}.switches.${name}`;
    const s = expectRecord(f, raw);
    expectKnownKeys(f, s, ['groupFwdMask', 'ports']);
    const portsIn = expectRecord(`${f}.ports`, optional(s.ports, {}));
    const portNames = ends.filter((e) => e.node === name).map((e) => e.ifname);
    for (const p of Object.keys(portsIn)) {
      if (!portNames.includes(p))
        throw new InputError(
          `${f}.ports.${p}`,
          p,
          `no link ends at ${name}:${p}; ports are ${portNames.join(', ') || 'none'}`,
        );
    }
    return {
      name,
      bridge: BRIDGE_NAME,
      // The kernel refuses STP, pause and LACP (0x7) bridge-wide; per port, LACP may pass.
      groupFwdMask:
        s.groupFwdMask === undefined
          ? undefined
          : expectMask(`${f}.groupFwdMask`, s.groupFwdMask, 0xfff8),
      ports: portNames.map((ifname) => {
        const pf = `${f}.ports.${ifname}`;
        // Own keys only: a port named like an Object method (toString) has no settings.
        const p = expectRecord(pf, Object.hasOwn(portsIn, ifname) ? portsIn[ifname] : {});
        expectKnownKeys(pf, p, ['state', 'groupFwdMask']);
        if (p.state !== undefined && !PORT_STATES.includes(p.state as PortState)) {
          throw new InputError(`${pf}.state`, p.state, `expected one of ${PORT_STATES.join(', ')}`);
        }
        return {
          ifname,
          state: p.state as PortState | undefined,
          groupFwdMask:
            p.groupFwdMask === undefined
              ? undefined
              : expectMask(`${pf}.groupFwdMask`, p.groupFwdMask, 0xfffe),
        };
      }),
    };
  });
}

/** A group_fwd_mask with only `allowed` bits set. */
function expectMask(field: string, value: unknown, allowed: number): number {
  const n = expectInteger(field, value, 0, 0xffff);
  if ((n & ~allowed) !== 0) {
    throw new InputError(
      field,
      value,
      `the kernel refuses bits 0x${(~allowed & 0xffff).toString(16)} here; allowed bits are 0x${allowed.toString(16)}`,
    );
  }
  return n;
}
