import { InputError } from '../errors.js';
import { endpointKey, parseEndpoint, type Endpoint } from './endpoint.js';
import { BRIDGE_NAME } from './resolve-switches.js';
import { parseShaping } from './shaping.js';
import type { Shaping } from './spec.js';
import { expectArray, expectInteger, expectKnownKeys, expectRecord } from './validate.js';

/** Links of one topology: each is a veth pair, and a generator gone wrong must not make 10,000. */
export const MAX_LINKS = 1024;

export interface ResolvedLink {
  a: Endpoint;
  b: Endpoint;
  mtu: number | undefined;
  shape: { a: Shaping | undefined; b: Shaping | undefined };
}

/**
 * Checks `topology.links`: every endpoint names a known host or one of `switches` (the raw switch
 * specs, by name) and is used once. Records each end in `used` (interface key to the field that
 * claimed it) so later names cannot collide with it.
 */
export function resolveLinks(
  field: string,
  input: unknown,
  hosts: readonly string[],
  switches: Record<string, unknown>,
  used: Map<string, string>,
): ResolvedLink[] {
  const list = expectArray(`${field}.links`, input);
  if (list.length > MAX_LINKS) {
    throw new InputError(
      `${field}.links`,
      `${list.length} links`,
      `expected at most ${MAX_LINKS} links (each is a veth pair)`,
    );
  }
  return list.map((raw, i) => {
    const f = `${field}.links[${i}]`;
    const l = expectRecord(f, raw);
    expectKnownKeys(f, l, ['a', 'b', 'mtu', 'shape']);
    const ends = (['a', 'b'] as const).map((side) => {
      const e = parseEndpoint(`${f}.${side}`, l[side]);
      if (!hosts.includes(e.node) && !Object.hasOwn(switches, e.node)) {
        throw new InputError(
          `${f}.${side}`,
          l[side],
          `"${e.node}" is neither a host (${hosts.join(', ')}) nor a switch (${Object.keys(switches).join(', ') || 'none'})`,
        );
      }
      if (Object.hasOwn(switches, e.node) && e.ifname === BRIDGE_NAME) {
        throw new InputError(
          `${f}.${side}`,
          l[side],
          `"${BRIDGE_NAME}" is the switch's own bridge; name the port differently`,
        );
      }
      const k = endpointKey(e.node, e.ifname);
      const before = used.get(k);
      if (before !== undefined)
        throw new InputError(
          `${f}.${side}`,
          l[side],
          `already used by ${before}; each interface joins one link`,
        );
      used.set(k, `${f}.${side}`);
      return e;
    }) as [Endpoint, Endpoint];
    const shape = l.shape === undefined ? {} : expectRecord(`${f}.shape`, l.shape);
    expectKnownKeys(`${f}.shape`, shape, ['a', 'b']);
    return {
      a: ends[0],
      b: ends[1],
      mtu: l.mtu === undefined ? undefined : expectInteger(`${f}.mtu`, l.mtu, 68, 65535, 'bytes'),
      shape: { a: parseShaping(`${f}.shape.a`, shape.a), b: parseShaping(`${f}.shape.b`, shape.b) },
    };
  });
}

/** Both ends of every link, in link order. */
export function linkEnds(links: readonly ResolvedLink[]): Endpoint[] {
  return links.flatMap((l) => [l.a, l.b]);
}
