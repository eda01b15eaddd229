import { isIPv4, isIPv6 } from 'node:net';
import { InputError } from '../errors.js';
import {
  expectBoolean,
  expectInteger,
  expectKnownKeys,
  expectRecord,
  optional,
} from './validate.js';

/** Bonding modes by number, with the names iproute2, sysfs and bonding.rst use. */
export const BOND_MODES = [
  'balance-rr',
  'active-backup',
  'balance-xor',
  'broadcast',
  '802.3ad',
  'balance-tlb',
  'balance-alb',
] as const;
export type BondModeName = (typeof BOND_MODES)[number];

/** Enumerated options: the names in kernel order, so an index is the numeric value. */
const ENUMS = {
  arp_validate: ['none', 'active', 'backup', 'all', 'filter', 'filter_active', 'filter_backup'],
  arp_all_targets: ['any', 'all'],
  primary_reselect: ['always', 'better', 'failure'],
  fail_over_mac: ['none', 'active', 'follow'],
  xmit_hash_policy: ['layer2', 'layer3+4', 'layer2+3', 'encap2+3', 'encap3+4', 'vlan+srcmac'],
  lacp_rate: ['slow', 'fast'],
  ad_select: ['stable', 'bandwidth', 'count'],
} as const;

const INT_MAX = 2 ** 31 - 1;
/** Integer options: [min, max, unit]. */
const INTS = {
  miimon: [0, INT_MAX, 'ms'],
  updelay: [0, INT_MAX, 'ms'],
  downdelay: [0, INT_MAX, 'ms'],
  peer_notify_delay: [0, INT_MAX, 'ms'],
  arp_interval: [0, INT_MAX, 'ms'],
  arp_missed_max: [1, 255, 'missed ARP probes'],
  min_links: [0, INT_MAX, 'slaves'],
  num_grat_arp: [0, 255, 'announcements'],
  num_unsol_na: [0, 255, 'announcements'],
  resend_igmp: [0, 255, 'reports'],
  packets_per_slave: [0, 65535, 'packets'],
  lp_interval: [1, INT_MAX, 's'],
} as const;

const BOOLS = ['use_carrier', 'all_slaves_active', 'tlb_dynamic_lb'] as const;

type EnumOption = keyof typeof ENUMS;
type IntOption = keyof typeof INTS;
type BoolOption = (typeof BOOLS)[number];

/**
 * Bond options as a scenario writes them: the names of bonding.rst and iproute2. Enumerations take
 * the name or the number; booleans take true/false or 1/0; targets name a host or give its address.
 */
export type BondOptionsInput = {
  mode?: BondModeName | 0 | 1 | 2 | 3 | 4 | 5 | 6;
  primary?: string;
  arp_ip_target?: string[];
  ns_ip6_target?: string[];
} & { [K in EnumOption]?: (typeof ENUMS)[K][number] | number } & {
  [K in IntOption]?: number;
} & { [K in BoolOption]?: boolean | 0 | 1 };

/** Options after validation: canonical names, numbers and booleans. Targets are still unresolved. */
export type BondOptions = {
  mode: BondModeName;
  primary?: string;
  arp_ip_target?: string[];
  ns_ip6_target?: string[];
} & { [K in EnumOption]?: (typeof ENUMS)[K][number] } & { [K in IntOption]?: number } & {
  [K in BoolOption]?: boolean;
};

/** Every option bondlab passes to the driver, in the order iproute2 should send them. */
export const BOND_OPTION_NAMES = [
  'mode',
  ...(Object.keys(INTS) as IntOption[]),
  ...(Object.keys(ENUMS) as EnumOption[]),
  ...BOOLS,
  'arp_ip_target',
  'ns_ip6_target',
  'primary',
] as const;
export type BondOptionName = (typeof BOND_OPTION_NAMES)[number];

/** Where each option is allowed: bonding.rst, enforced by the driver's mode dependencies. */
const MODES_OF: Partial<Record<BondOptionName, readonly BondModeName[]>> = {
  primary: ['active-backup', 'balance-tlb', 'balance-alb'],
  primary_reselect: ['active-backup', 'balance-tlb', 'balance-alb'],
  lacp_rate: ['802.3ad'],
  ad_select: ['802.3ad'],
  packets_per_slave: ['balance-rr'],
  tlb_dynamic_lb: ['balance-tlb', 'balance-alb'],
  arp_interval: ['balance-rr', 'active-backup', 'balance-xor', 'broadcast'],
  arp_validate: ['balance-rr', 'active-backup', 'balance-xor', 'broadcast'],
  arp_ip_target: ['balance-rr', 'active-backup', 'balance-xor', 'broadcast'],
  ns_ip6_target: ['balance-rr', 'active-backup', 'balance-xor', 'broadcast'],
};

function parseMode(field: string, value: unknown): BondModeName {
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 0 &&
    value < BOND_MODES.length
  ) {
    return BOND_MODES[value] as BondModeName;
  }
  if (typeof value === 'string') {
    const byName = BOND_MODES.find((m) => m === value);
    if (byName !== undefined) return byName;
    if (/^[0-6]$/.test(value)) return BOND_MODES[Number(value)] as BondModeName;
  }
  throw new InputError(
    field,
    value,
    `expected a mode from 0 to 6 or one of ${BOND_MODES.join(', ')}`,
  );
}

function parseEnum<K extends EnumOption>(
  field: string,
  name: K,
  value: unknown,
): (typeof ENUMS)[K][number] {
  const names: readonly string[] = ENUMS[name];
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < names.length) {
    return names[value] as (typeof ENUMS)[K][number];
  }
  if (typeof value === 'string' && names.includes(value)) return value as (typeof ENUMS)[K][number];
  throw new InputError(
    field,
    value,
    `expected one of ${names.map((n, i) => `${n} (${i})`).join(', ')}`,
  );
}

function parseTargets(field: string, value: unknown, family: 4 | 6): string[] {
  const list = typeof value === 'string' ? value.split(',') : value;
  const what = family === 4 ? 'an IPv4 address' : 'an IPv6 address';
  if (!Array.isArray(list) || list.length === 0 || list.length > 16) {
    throw new InputError(field, value, `expected 1 to 16 targets, each a host name or ${what}`);
  }
  return list.map((t, i) => {
    const ok =
      typeof t === 'string' &&
      (/^[a-z][a-z0-9]{0,11}$/.test(t) || (family === 4 ? isIPv4(t) : isIPv6(t)));
    if (!ok) throw new InputError(`${field}[${i}]`, t, `expected a host name or ${what}`);
    return t;
  });
}

/**
 * Validates bond options as they enter, with the rules of the driver that can be checked without a
 * kernel: ranges, names, mode dependencies and combinations that would silently not work.
 */
export function parseBondOptions(
  field: string,
  value: unknown,
  slaves: readonly string[],
): BondOptions {
  const input = expectRecord(field, optional(value, {}));
  expectKnownKeys(field, input, BOND_OPTION_NAMES);
  const out: BondOptions = {
    mode: parseMode(`${field}.mode`, optional(input.mode, 'balance-rr')),
  };
  const o = out as Record<string, unknown>;
  for (const [name, raw] of Object.entries(input)) {
    const f = `${field}.${name}`;
    if (name === 'mode' || raw === undefined) continue;
    if (name in INTS) {
      const [min, max, unit] = INTS[name as IntOption];
      o[name] = expectInteger(f, raw, min, max, unit);
    } else if (name in ENUMS) {
      o[name] = parseEnum(f, name as EnumOption, raw);
    } else if ((BOOLS as readonly string[]).includes(name)) {
      o[name] = expectBoolean(f, raw);
    } else if (name === 'arp_ip_target') {
      o[name] = parseTargets(f, raw, 4);
    } else if (name === 'ns_ip6_target') {
      o[name] = parseTargets(f, raw, 6);
    } else if (name === 'primary') {
      if (typeof raw !== 'string' || !slaves.includes(raw)) {
        throw new InputError(
          f,
          raw,
          `the primary must be one of the bond's slaves: ${slaves.join(', ')}`,
        );
      }
      o[name] = raw;
    }
  }
  for (const name of Object.keys(input) as BondOptionName[]) {
    const modes = MODES_OF[name];
    if (modes !== undefined && !modes.includes(out.mode)) {
      throw new InputError(
        `${field}.${name}`,
        input[name],
        `${name} applies only in mode ${modes.join(', ')}; this bond is ${out.mode}`,
      );
    }
  }
  checkCombinations(field, out);
  return out;
}

function checkCombinations(field: string, o: BondOptions): void {
  const miimon = o.miimon ?? 0;
  const arp = o.arp_interval ?? 0;
  if (miimon > 0 && arp > 0) {
    throw new InputError(
      `${field}.arp_interval`,
      arp,
      'miimon and arp_interval exclude each other (the driver turns miimon off); set one of them to 0',
    );
  }
  const hasTargets = (o.arp_ip_target?.length ?? 0) + (o.ns_ip6_target?.length ?? 0) > 0;
  if (arp > 0 && !hasTargets) {
    throw new InputError(
      `${field}.arp_ip_target`,
      o.arp_ip_target,
      'arp_interval needs at least one arp_ip_target or ns_ip6_target',
    );
  }
  if (hasTargets && arp === 0) {
    throw new InputError(
      `${field}.arp_interval`,
      o.arp_interval,
      'targets without arp_interval > 0 are never probed',
    );
  }
  if (
    o.num_grat_arp !== undefined &&
    o.num_unsol_na !== undefined &&
    o.num_grat_arp !== o.num_unsol_na
  ) {
    throw new InputError(
      `${field}.num_unsol_na`,
      o.num_unsol_na,
      `num_grat_arp and num_unsol_na are one setting in the driver; give the same value (num_grat_arp is ${o.num_grat_arp})`,
    );
  }
  for (const delay of ['updelay', 'downdelay'] as const) {
    const d = o[delay];
    if (d === undefined || d === 0) continue;
    if (miimon === 0) {
      throw new InputError(`${field}.${delay}`, d, `${delay} needs miimon > 0`);
    }
    if (d % miimon !== 0) {
      throw new InputError(
        `${field}.${delay}`,
        d,
        `${delay} must be a multiple of miimon (${miimon}); the driver would round it down`,
      );
    }
  }
}

/** The words after `ip link add NAME type bond` (everything but primary, set once slaves exist). */
export function bondCreateWords(
  o: BondOptions,
  targets: { arp: string[]; ns: string[] },
): string[] {
  const words: string[] = [];
  for (const name of BOND_OPTION_NAMES) {
    const v = o[name];
    if (v === undefined || name === 'primary') continue;
    if (name === 'arp_ip_target') words.push(name, targets.arp.join(','));
    else if (name === 'ns_ip6_target') words.push(name, targets.ns.join(','));
    else if (typeof v === 'boolean') words.push(name, v ? '1' : '0');
    else words.push(name, String(v));
  }
  return words;
}
