import { BOND_OPTION_NAMES } from './bond-options.js';
import { Batch } from '../exec/batch.js';
import { CommandError } from '../exec/command-error.js';
import { run, type RunOptions, type RunResult } from '../exec/run.js';

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

/**
 * Every link of several namespaces, in one process of node's: ip forks one `ip -j` per namespace,
 * each printing its links as one line of JSON, in order.
 */
export async function readLinksOf(
  namespaces: readonly string[],
  options: Omit<RunOptions, 'netns'> = {},
): Promise<Map<string, IpLink[]>> {
  const batch = new Batch('ip');
  for (const ns of namespaces) batch.exec(ns, 'ip', '-d', '-j', 'link', 'show');
  const result = await batch.commit(options);
  const lines = (result?.stdout ?? '').split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== namespaces.length) {
    throw new Error(`expected ${namespaces.length} link listings, got ${lines.length}`);
  }
  return new Map(namespaces.map((ns, i) => [ns, JSON.parse(lines[i] as string) as IpLink[]]));
}

/** A bond's link and its slaves' from netlink alone: one process, for reads in a hurry. */
export interface BondLinks {
  link: IpLink | undefined;
  slaves: IpLink[];
  /** The active slave as netlink reports it (active-backup, tlb, alb), if any. */
  activeSlave: string | undefined;
}

/** Reads a bond and its slaves with one `ip -d -j link show` (no sysfs: no second process). */
export async function readBondLinks(
  netns: string,
  name: string,
  options: Omit<RunOptions, 'netns'> = {},
): Promise<BondLinks> {
  const out = await run(['ip', '-d', '-j', 'link', 'show'], { ...options, netns });
  const links = JSON.parse(out.stdout) as IpLink[];
  const link = links.find((l) => l.ifname === name);
  const active = link?.linkinfo?.info_data?.active_slave;
  return {
    link,
    slaves: links.filter((l) => l.master === name),
    activeSlave: typeof active === 'string' && active !== '' ? active : undefined,
  };
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
  // One process of node's: the links, then every file; -force because tail exits 1 when the
  // kernel lacks one of the files, which is an answer, not a failure.
  const batch = new Batch('ip')
    .exec(netns, 'ip', '-d', '-j', 'link', 'show')
    .exec(netns, 'tail', '-v', '-n', '+1', '--', ...files, procFile);
  const out = (await batch.commit({ ...options, force: true, okExitCodes: [1] })) as RunResult;
  const newline = out.stdout.indexOf('\n');
  let links: IpLink[];
  try {
    links = JSON.parse(out.stdout.slice(0, newline)) as IpLink[];
  } catch {
    throw new CommandError('E_COMMAND_FAILED', `cannot list the links of ${netns}`, {
      ...out,
      signal: undefined,
    });
  }
  const sysfs: Record<string, string> = {};
  let proc = '';
  for (const [path, text] of splitTailOutput(out.stdout.slice(newline + 1))) {
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
