/**
 * Addresses come only from the benchmarking ranges: 198.18.0.0/15 (RFC 2544) and 2001:2::/48
 * (RFC 5180). Each layer-2 segment gets a /24 and a /64; hosts on it get .1, .2, ...
 */
export const IPV4_RANGE = '198.18.0.0/15';
export const IPV6_RANGE = '2001:2::/48';
export const MAX_SEGMENTS = 512;
export const MAX_HOSTS_PER_SEGMENT = 254;

export interface SegmentAddress {
  ipv4: string;
  ipv6: string;
  prefix4: 24;
  prefix6: 64;
}

export function segmentAddress(segment: number, index: number): SegmentAddress {
  if (!Number.isInteger(segment) || segment < 0 || segment >= MAX_SEGMENTS) {
    throw new RangeError(`segment ${segment} is outside ${IPV4_RANGE}`);
  }
  if (!Number.isInteger(index) || index < 1 || index > MAX_HOSTS_PER_SEGMENT) {
    throw new RangeError(`host index ${index} is outside 1-${MAX_HOSTS_PER_SEGMENT}`);
  }
  const third = segment % 256;
  const second = 18 + Math.floor(segment / 256);
  return {
    ipv4: `198.${second}.${third}.${index}`,
    ipv6: compressIpv6([0x2001, 2, 0, segment, 0, 0, 0, index]),
    prefix4: 24,
    prefix6: 64,
  };
}

/** Whether an IPv4 address lies in 198.18.0.0/15. */
export function inIpv4Range(address: string): boolean {
  const parts = address.split('.').map(Number);
  return parts.length === 4 && parts[0] === 198 && (parts[1] === 18 || parts[1] === 19);
}

/** RFC 5952 text of eight 16-bit groups: the longest run of two or more zero groups becomes "::". */
export function compressIpv6(groups: readonly number[]): string {
  let best = { at: -1, len: 0 };
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at === -1) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}
