import { BOND_OPTION_NAMES } from './bond-options.js';
import { run, type RunOptions } from '../exec/run.js';

/** One link as `ip -d -j link show` reports it (the fields bondlab reads; the rest is kept). */
export interface IpLink {
  ifname: string;
  ifindex: number;
  operstate: string;
  flags: string[];
  mtu: number;
  master?: string;
  address?: string;
  linkinfo?: {
    info_kind?: string;
    info_data?: Record<string, unknown>;
    info_slave_kind?: string;
    info_slave_data?: Record<string, unknown>;
  };
  [field: string]: unknown;
}

/** Every link of a namespace with details, in one exec. */
export async function readLinks(netns: string, options: RunOptions = {}): Promise<IpLink[]> {
  const { stdout } = await run(['ip', '-d', '-j', 'link', 'show'], { ...options, netns });
  return JSON.parse(stdout) as IpLink[];
}

/** What the kernel says about one bond, from all three of its interfaces. */
export interface BondReadback {
  netns: string;
  name: string;
  /** `ip -d -j link show`: the bond's info_data. */
  link: IpLink | undefined;
  /** The slaves' links, with their bond_slave info (state, mii_status, link_failure_count...). */
  slaves: IpLink[];
  /** /sys/class/net/<bond>/bonding/<option> → its text, as the driver prints it. */
  sysfs: Record<string, string>;
  /** /proc/net/bonding/<bond>, as text. */
  proc: string;
}

/** Bond state files in sysfs besides the options themselves. */
const BOND_STATE_FILES = [
  'active_slave',
  'slaves',
  'mii_status',
  'ad_aggregator',
  'ad_num_ports',
  'ad_actor_key',
  'ad_partner_key',
  'ad_partner_mac',
] as const;

/**
 * Reads a bond back from the kernel in two execs: `ip -d -j link show`, and one `tail` over the
 * bond's sysfs and procfs files inside its namespace (`ip netns exec` mounts that namespace's
 * sysfs). tail names every file, empty ones included; a file the kernel lacks is left out.
 */
export async function readBond(
  netns: string,
  name: string,
  options: RunOptions = {},
): Promise<BondReadback> {
  const dir = `/sys/class/net/${name}/bonding`;
  const files = [...BOND_OPTION_NAMES, ...BOND_STATE_FILES].map((f) => `${dir}/${f}`);
  const procFile = `/proc/net/bonding/${name}`;
  const [links, out] = await Promise.all([
    readLinks(netns, options),
    run(['tail', '-v', '-n', '+1', '--', ...files, procFile], {
      ...options,
      netns,
      okExitCodes: [1],
    }),
  ]);
  const sysfs: Record<string, string> = {};
  let proc = '';
  for (const [path, text] of splitTailOutput(out.stdout)) {
    if (path === procFile) proc = text;
    else if (path.startsWith(`${dir}/`)) sysfs[path.slice(dir.length + 1)] = text.trim();
  }
  return {
    netns,
    name,
    link: links.find((l) => l.ifname === name),
    slaves: links.filter((l) => l.master === name),
    sysfs,
    proc,
  };
}

/** Splits `tail -v` output into [file, content] pairs. */
export function splitTailOutput(stdout: string): [string, string][] {
  const parts: [string, string][] = [];
  const header = /^==> (.*) <==$/gm;
  const marks = [...stdout.matchAll(header)];
  marks.forEach((m, i) => {
    const start = m.index + m[0].length + 1;
    const end = i + 1 < marks.length ? (marks[i + 1]?.index ?? stdout.length) : stdout.length;
    parts.push([m[1] as string, stdout.slice(start, end).replace(/\n\n$/, '\n')]);
  });
  return parts;
}

/** The sysfs value as the option's canonical word: "active-backup 1" → "active-backup". */
export function sysfsWord(text: string | undefined): string | undefined {
  return text?.trim().split(/\s+/)[0];
}
