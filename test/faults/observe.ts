/**
 * Reading what the kernel reports while a fault is in, for the fault tests: links, bridge ports,
 * qdiscs and bonds, straight from `ip -j`, `bridge -j`, `tc -j` and /proc/net/bonding.
 */
import { readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Daemon } from '../../harness/exec/daemon.js';
import { run as runCommand } from '../../harness/exec/run.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import type { IpLink } from '../../harness/topology/state.js';
import type { Topology } from '../../harness/topology/topology.js';

/** `ip -d -j link show dev` in a node's namespace. */
export async function link(topo: Topology, node: string, ifname: string): Promise<IpLink> {
  const { stdout } = await topo.exec(node, ['ip', '-d', '-j', 'link', 'show', 'dev', ifname]);
  const [found] = JSON.parse(stdout) as IpLink[];
  if (found === undefined) throw new Error(`${node}:${ifname} is missing`);
  return found;
}

/** `bridge -d -j link show` of a switch: every port, by name. */
export async function bridgePorts(
  topo: Topology,
  sw: string,
): Promise<Record<string, Record<string, unknown>>> {
  const { stdout } = await topo.exec(sw, ['bridge', '-d', '-j', 'link', 'show']);
  const ports = JSON.parse(stdout) as (Record<string, unknown> & { ifname: string })[];
  return Object.fromEntries(ports.map((p) => [p.ifname, p]));
}

/** The root qdisc of an interface, as `tc -j qdisc show` reports it. */
export interface Qdisc {
  kind: string;
  root?: boolean;
  options?: Record<string, unknown>;
}

export async function rootQdisc(topo: Topology, node: string, ifname: string): Promise<Qdisc> {
  const { stdout } = await topo.exec(node, ['tc', '-j', 'qdisc', 'show', 'dev', ifname, 'root']);
  const [q] = JSON.parse(stdout) as Qdisc[];
  if (q === undefined) throw new Error(`${node}:${ifname} has no root qdisc`);
  return q;
}

/** Polls until `check` holds, every `everyMs`, at most `timeoutMs`; resolves with whether it did. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 2_000,
  everyMs = 20,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (performance.now() > deadline) return false;
    await sleep(everyMs);
  }
}

/** One slave as /proc/net/bonding describes it. */
export interface ProcSlave {
  ifname: string;
  mii: string;
  aggregator?: number;
  /** LACP actor and partner port state (bits: 0x10 collecting, 0x20 distributing, 0x40 defaulted). */
  actorState?: number;
  partnerState?: number;
  partnerMac?: string;
}

/** /proc/net/bonding/<bond> as data: the bond's active slave or aggregator, and each slave. */
export interface ProcBond {
  /** 802.3ad: the MAC this bond gives its partner as its system id. */
  systemMac?: string;
  activeSlave?: string;
  aggregator?: { id: number; ports: number; partnerMac: string };
  slaves: ProcSlave[];
}

export function parseProcBond(text: string): ProcBond {
  const [head = '', ...parts] = text.split(/^Slave Interface: /m);
  const agg =
    /Active Aggregator Info:\s+Aggregator ID: (\d+)\s+Number of ports: (\d+)[\s\S]*?Partner Mac Address: (\S+)/.exec(
      head,
    );
  const num = (re: RegExp, s: string): number | undefined => {
    const m = re.exec(s)?.[1];
    return m === undefined ? undefined : Number(m);
  };
  const slaves = parts.map((p): ProcSlave => {
    const [actor = '', partner = ''] = p.split(/details partner lacp pdu:/);
    const partnerMac = /system mac address: (\S+)/.exec(partner)?.[1];
    const slave: ProcSlave = {
      ifname: p.slice(0, p.indexOf('\n')).trim(),
      mii: /^MII Status: (\S+)/m.exec(p)?.[1] ?? '?',
    };
    const aggregator = num(/^Aggregator ID: (\d+)/m, p);
    if (aggregator !== undefined) slave.aggregator = aggregator;
    const actorState = num(/port state: (\d+)/, actor);
    if (actorState !== undefined) slave.actorState = actorState;
    const partnerState = num(/port state: (\d+)/, partner);
    if (partnerState !== undefined) slave.partnerState = partnerState;
    if (partnerMac !== undefined) slave.partnerMac = partnerMac;
    return slave;
  });
  const bond: ProcBond = { slaves };
  const active = /^Currently Active Slave: (\S+)/m.exec(head)?.[1];
  if (active !== undefined) bond.activeSlave = active;
  const system = /^System MAC address: (\S+)/m.exec(head)?.[1];
  if (system !== undefined) bond.systemMac = system;
  if (agg !== null)
    bond.aggregator = { id: Number(agg[1]), ports: Number(agg[2]), partnerMac: agg[3] ?? '' };
  return bond;
}

/**
 * Reads a host's /proc/net/bonding without an exec per read: a `sleep` lives in the host's
 * namespace and /proc/<its pid>/net is that namespace's. Reading is a file read, so a bond can be
 * watched every few ms even inside User-mode Linux, where an exec costs 70-100 ms.
 */
export class BondReader {
  readonly #daemon: Daemon;
  readonly #file: string;

  private constructor(daemon: Daemon, bond: string) {
    this.#daemon = daemon;
    this.#file = `/proc/${String(daemon.pid)}/net/bonding/${bond}`;
  }

  static async start(topo: Topology, host: string, bond = 'bond0'): Promise<BondReader> {
    const netns = topo.netns(host);
    const daemon = Daemon.start(topo.run, ['sleep', 'infinity'], { netns, graceMs: 200 });
    const want = statSync(`/run/netns/${netns}`).ino;
    // `ip netns exec` enters the namespace, then becomes sleep: wait until the pid is in there.
    const inside = await eventually(() => {
      try {
        return statSync(`/proc/${String(daemon.pid)}/ns/net`).ino === want;
      } catch {
        return false;
      }
    }, 10_000);
    if (!inside) {
      await daemon.stop();
      throw new Error(`no process entered ${netns}`);
    }
    return new BondReader(daemon, bond);
  }

  text(): string {
    return readFileSync(this.#file, 'utf8');
  }

  read(): ProcBond {
    return parseProcBond(this.text());
  }

  async stop(): Promise<void> {
    await this.#daemon.stop();
  }
}

/** Whether this kernel can make a netem qdisc: tried on lo of a throwaway namespace. */
export async function kernelHasNetem(): Promise<boolean> {
  return withRun(async (r) => {
    const ns = r.netns('probe');
    r.deferNetns([ns]);
    await runCommand(['ip', 'netns', 'add', ns], { signal: r.signal });
    const res = await runCommand(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem'], {
      netns: ns,
      signal: r.signal,
      okExitCodes: [1, 2],
    });
    return res.exitCode === 0;
  });
}
