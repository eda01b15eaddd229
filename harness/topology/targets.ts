import { isIPv4 } from 'node:net';
import { InputError } from '../errors.js';
import type { BondDraft, ResolvedBond } from './resolve-bonds.js';
import type { L3Interface } from './segments.js';
import { NODE_NAME_PATTERN } from './validate.js';

/**
 * Turns a bond's arp_ip_target and ns_ip6_target entries, each a host name or an address, into the
 * addresses of hosts on the bond's own segment. Raises an InputError listing those hosts otherwise.
 */
export function resolveTargets(
  { field: f, ...b }: BondDraft,
  interfaces: readonly L3Interface[],
): ResolvedBond {
  const own = interfaces.find((x) => x.host === b.host && x.ifname === b.name) as L3Interface;
  const peers = interfaces.filter((x) => x.segment === own.segment && x !== own);
  const resolveTarget = (
    t: string,
    j: number,
    option: 'arp_ip_target' | 'ns_ip6_target',
  ): string => {
    const family = option === 'arp_ip_target' ? 'ipv4' : 'ipv6';
    const tf = `${f}.options.${option}[${j}]`;
    const owner = NODE_NAME_PATTERN.test(t)
      ? peers.find((x) => x.host === t)
      : peers.find((x) => sameAddress(x[family], t));
    if (owner === undefined) {
      const choices = peers.map((x) => `${x.host} (${x[family]})`).join(', ') || 'none';
      throw new InputError(
        tf,
        t,
        `a target must be a host on ${b.host}:${b.name}'s network, by name or address: ${choices}`,
      );
    }
    return owner[family];
  };
  return {
    ...b,
    arpTargets: (b.options.arp_ip_target ?? []).map((t, j) => resolveTarget(t, j, 'arp_ip_target')),
    nsTargets: (b.options.ns_ip6_target ?? []).map((t, j) => resolveTarget(t, j, 'ns_ip6_target')),
  };
}

function sameAddress(a: string, b: string): boolean {
  // IPv4 text has one spelling; IPv6 may compress or pad its groups.
  if (isIPv4(a) || isIPv4(b)) return a === b;
  return expandIpv6(a) === expandIpv6(b);
}

/** Eight zero-padded lowercase groups, so that two spellings of one address compare equal. */
function expandIpv6(a: string): string {
  const [head = '', tail = ''] = a.toLowerCase().split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = a.includes('::')
    ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
    : h;
  return groups.map((g) => g.padStart(4, '0')).join(':');
}
