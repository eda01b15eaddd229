import { release } from 'node:os';
import { KernelUnsupportedError } from '../errors.js';
import { BOND_OPTION_NAMES, type BondOptionName } from './bond-options.js';
import type { ResolvedBond } from './resolve.js';
import { sysfsWord } from './state.js';

export interface OptionComparison {
  option: string;
  requested: string;
  actual: string | undefined;
}

function requestedText(bond: ResolvedBond, option: BondOptionName): string | undefined {
  if (option === 'arp_ip_target')
    return bond.arpTargets.length === 0 ? undefined : bond.arpTargets.join(' ');
  if (option === 'ns_ip6_target')
    return bond.nsTargets.length === 0 ? undefined : bond.nsTargets.join(' ');
  const v = bond.options[option];
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v ? '1' : '0';
  return Array.isArray(v) ? v.join(' ') : String(v);
}

function normalize(option: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (option === 'arp_ip_target' || option === 'ns_ip6_target') {
    return text.trim().split(/\s+/).filter(Boolean).sort().join(' ');
  }
  return sysfsWord(text) ?? '';
}

/**
 * Compares what was asked with what the driver reports in sysfs. Raises when the kernel does not
 * know a requested option at all (no sysfs file: an old kernel ignores netlink attributes it does
 * not know); returns every option with the value the kernel really applied.
 */
export function compareBondOptions(
  bond: ResolvedBond,
  sysfs: Record<string, string>,
): OptionComparison[] {
  const out: OptionComparison[] = [];
  for (const option of BOND_OPTION_NAMES) {
    const requested = requestedText(bond, option);
    if (requested === undefined) continue;
    if (!(option in sysfs)) {
      throw new KernelUnsupportedError(
        release(),
        `bond ${bond.host}:${bond.name}: the bonding driver has no option ${option}`,
        { hint: `drop ${option} from the scenario, or run on a newer kernel (--kernel)` },
      );
    }
    out.push({
      option,
      requested: normalize(option, requested) ?? requested,
      actual: normalize(option, sysfs[option]),
    });
  }
  return out;
}
