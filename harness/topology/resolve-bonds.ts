import { InputError } from '../errors.js';
import { parseBondOptions, type BondOptions } from './bond-options.js';
import { endpointKey, type Endpoint } from './endpoint.js';
import {
  expectArray,
  expectKnownKeys,
  expectName,
  expectRecord,
  IFNAME_PATTERN,
  IFNAME_RULE,
} from './validate.js';

export interface ResolvedBond {
  host: string;
  name: string;
  slaves: string[];
  options: BondOptions;
  /** arp_ip_target and ns_ip6_target as addresses. */
  arpTargets: string[];
  nsTargets: string[];
}

/** A checked bond whose targets wait for addresses; `field` is where it came from. */
export type BondDraft = Omit<ResolvedBond, 'arpTargets' | 'nsTargets'> & { field: string };

/**
 * Checks `topology.bonds`: slaves are this host's link ends, each enslaved once, and the bond's
 * name is new on its host (checked against and added to `used`).
 */
export function resolveBonds(
  field: string,
  input: unknown,
  hosts: readonly string[],
  ends: readonly Endpoint[],
  used: Map<string, string>,
): BondDraft[] {
  const enslaved = new Map<string, string>();
  return expectArray(`${field}.bonds`, input).map((raw, i) => {
    const f = `${field}.bonds[${i}]`;
    const b = expectRecord(f, raw);
    expectKnownKeys(f, b, ['host', 'name', 'slaves', 'options']);
    if (typeof b.host !== 'string' || !hosts.includes(b.host)) {
      throw new InputError(`${f}.host`, b.host, `expected one of the hosts: ${hosts.join(', ')}`);
    }
    const host = b.host;
    const name = expectName(`${f}.name`, b.name, IFNAME_PATTERN, IFNAME_RULE);
    if (used.has(endpointKey(host, name)))
      throw new InputError(`${f}.name`, name, `${host} already has an interface ${name}`);
    used.set(endpointKey(host, name), `${f}.name`);
    const own = ends.filter((e) => e.node === host).map((e) => e.ifname);
    const slavesIn = expectArray(`${f}.slaves`, b.slaves);
    if (slavesIn.length === 0)
      throw new InputError(
        `${f}.slaves`,
        b.slaves,
        `a bond needs at least one slave; ${host} has ${own.join(', ') || 'no links'}`,
      );
    const slaves = slavesIn.map((s, j) => {
      const sf = `${f}.slaves[${j}]`;
      if (typeof s !== 'string' || !own.includes(s))
        throw new InputError(
          sf,
          s,
          `expected one of ${host}'s link ends: ${own.join(', ') || 'none'}`,
        );
      const taken = enslaved.get(endpointKey(host, s));
      if (taken !== undefined) throw new InputError(sf, s, `already a slave of ${taken}`);
      enslaved.set(endpointKey(host, s), name);
      return s;
    });
    return {
      host,
      name,
      slaves,
      options: parseBondOptions(`${f}.options`, b.options, slaves),
      field: f,
    };
  });
}
