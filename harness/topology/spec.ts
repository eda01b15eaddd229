import type { BondOptionsInput } from './bond-options.js';

/**
 * A topology as a scenario declares it. Hosts and switches each get a network namespace of the
 * run; links are veth pairs between them; bonds enslave a host's link ends. Addresses are
 * allocated, never given.
 *
 * ```ts
 * const spec: TopologySpec = {
 *   hosts: { client: {}, server: {} },
 *   switches: { sw: {} },
 *   links: [
 *     { a: 'client:eth0', b: 'sw:p1' },
 *     { a: 'client:eth1', b: 'sw:p2' },
 *     { a: 'server:eth0', b: 'sw:p3' },
 *   ],
 *   bonds: [{ host: 'client', name: 'bond0', slaves: ['eth0', 'eth1'],
 *             options: { mode: 'active-backup', miimon: 100 } }],
 * };
 * ```
 */
export interface TopologySpec {
  hosts: Record<string, HostSpec>;
  switches?: Record<string, SwitchSpec>;
  links: LinkSpec[];
  bonds?: BondSpec[];
}

/** Room for per-host settings; a host needs none today. */
export type HostSpec = Record<string, never>;

/**
 * Bridge port states, as `bridge link set ... state` names them; the index is the kernel's number.
 * No 'blocking': with STP off the bridge turns a blocking port straight back to forwarding.
 */
export const PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding'] as const;
export type PortState = (typeof PORT_STATES)[number];

export interface SwitchSpec {
  /** Bridge-wide group_fwd_mask: which link-local groups (01:80:c2:00:00:0X) the bridge forwards. */
  groupFwdMask?: number;
  /** Per-port settings, by the port's interface name. */
  ports?: Record<string, PortSpec>;
}

export interface PortSpec {
  state?: PortState;
  /** Per-port group_fwd_mask; unlike the bridge-wide one it may include LACP (bit 2, 0x4). */
  groupFwdMask?: number;
}

/** Token bucket shaping on one side of a link (egress of that interface). */
export interface TbfShaping {
  kind: 'tbf';
  rateMbit: number;
  burstKb?: number;
  latencyMs?: number;
}
export type Shaping = TbfShaping;

export interface LinkSpec {
  /** `node:interface`, e.g. `client:eth0` or `sw:p1`. */
  a: string;
  b: string;
  mtu?: number;
  /** Per-side shaping, applied to each side's egress. */
  shape?: { a?: Shaping; b?: Shaping };
}

export interface BondSpec {
  host: string;
  name: string;
  slaves: string[];
  options?: BondOptionsInput;
}
