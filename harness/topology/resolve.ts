import { InputError } from '../errors.js';
import { resolveBonds, type ResolvedBond } from './resolve-bonds.js';
import { linkEnds, resolveLinks, type ResolvedLink } from './resolve-links.js';
import { resolveSwitches, type ResolvedSwitch } from './resolve-switches.js';
import { allocateInterfaces, type L3Interface } from './segments.js';
import { resolveTargets } from './targets.js';
import {
  expectKnownKeys,
  expectName,
  expectRecord,
  NODE_NAME_PATTERN,
  NODE_NAME_RULE,
  optional,
} from './validate.js';

/** Hosts and switches together: each is a namespace. */
export const MAX_NODES = 128;

export type { Endpoint } from './endpoint.js';
export type { ResolvedBond } from './resolve-bonds.js';
export type { ResolvedLink } from './resolve-links.js';
export type { ResolvedPort, ResolvedSwitch } from './resolve-switches.js';
export type { L3Interface } from './segments.js';

/** A topology that passed validation, with every name checked and every address allocated. */
export interface ResolvedTopology {
  hosts: string[];
  switches: ResolvedSwitch[];
  links: ResolvedLink[];
  bonds: ResolvedBond[];
  interfaces: L3Interface[];
}

/**
 * Validates a topology where it enters and allocates its addresses. Raises an InputError naming the
 * field, the value and what is allowed; never touches the kernel.
 */
export function resolveTopology(input: unknown, field = 'topology'): ResolvedTopology {
  const spec = expectRecord(field, input);
  expectKnownKeys(field, spec, ['hosts', 'switches', 'links', 'bonds']);
  const hostsIn = expectRecord(`${field}.hosts`, spec.hosts);
  // Absent is none; null is a wrong type like any other, not a quiet "none".
  const switchesIn = expectRecord(`${field}.switches`, optional(spec.switches, {}));
  const hosts = Object.keys(hostsIn);
  if (hosts.length === 0)
    throw new InputError(`${field}.hosts`, spec.hosts, 'expected at least one host');
  // Each is a namespace: a typo'd generator must not make thousands.
  const nodes = hosts.length + Object.keys(switchesIn).length;
  if (nodes > MAX_NODES) {
    throw new InputError(
      `${field}.hosts`,
      `${hosts.length} hosts and ${nodes - hosts.length} switches`,
      `expected at most ${MAX_NODES} hosts and switches together`,
    );
  }
  for (const h of hosts) {
    expectName(`${field}.hosts`, h, NODE_NAME_PATTERN, NODE_NAME_RULE);
    const hostSpec = expectRecord(`${field}.hosts.${h}`, hostsIn[h]);
    expectKnownKeys(`${field}.hosts.${h}`, hostSpec, []);
  }
  for (const s of Object.keys(switchesIn)) {
    expectName(`${field}.switches`, s, NODE_NAME_PATTERN, NODE_NAME_RULE);
    if (hosts.includes(s))
      throw new InputError(`${field}.switches.${s}`, s, 'a switch cannot share a name with a host');
  }

  // Links and bonds both claim interface names; one map (key to claiming field) catches clashes.
  const used = new Map<string, string>();
  const links = resolveLinks(field, spec.links, hosts, switchesIn, used);
  const ends = linkEnds(links);
  const switches = resolveSwitches(field, switchesIn, ends);
  const drafts = resolveBonds(field, optional(spec.bonds, []), hosts, ends, used);
  const interfaces = allocateInterfaces(field, hosts, links, switches, drafts);
  const bonds = drafts.map((d) => resolveTargets(d, interfaces));
  return { hosts, switches, links, bonds, interfaces };
}
