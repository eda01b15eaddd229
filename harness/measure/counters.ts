import { InputError } from '../errors.js';
import { CommandError } from '../exec/command-error.js';
import { run, type RunOptions } from '../exec/run.js';

/** One interface's counters, as the kernel keeps them (stats64). */
export interface InterfaceCounters {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

/** Counters of some interfaces of one namespace, read at one moment. */
export interface CounterSnapshot {
  netns: string;
  /** performance.now() when read: for rates, never for labels. */
  atMs: number;
  interfaces: Record<string, InterfaceCounters>;
}

interface IpLinkStats {
  ifname: string;
  stats64?: {
    rx?: { bytes?: number; packets?: number; errors?: number; dropped?: number };
    tx?: { bytes?: number; packets?: number; errors?: number; dropped?: number };
  };
}

/**
 * Reads the byte and packet counters of `ifnames` in `netns` with one process
 * (`ip -n NS -s -j link show`). All of the namespace's interfaces when `ifnames` is omitted; an
 * interface that does not exist is an InputError listing those that do.
 */
export async function readCounters(
  netns: string,
  ifnames?: readonly string[],
  options: Omit<RunOptions, 'netns'> = {},
): Promise<CounterSnapshot> {
  const result = await run(['ip', '-s', '-j', 'link', 'show'], { ...options, netns });
  const atMs = performance.now();
  let links: IpLinkStats[];
  try {
    links = JSON.parse(result.stdout) as IpLinkStats[];
  } catch (error) {
    throw new CommandError(
      'E_COMMAND_FAILED',
      'ip printed no JSON',
      { ...result, signal: undefined },
      { cause: error },
    );
  }
  const wanted = ifnames ?? links.map((l) => l.ifname);
  const interfaces: Record<string, InterfaceCounters> = {};
  for (const name of wanted) {
    const link = links.find((l) => l.ifname === name);
    if (link === undefined) {
      throw new InputError(
        'ifnames',
        name,
        `expected an interface of ${netns}: ${links.map((l) => l.ifname).join(', ')}`,
      );
    }
    const rx = link.stats64?.rx ?? {};
    const tx = link.stats64?.tx ?? {};
    interfaces[name] = {
      rxBytes: rx.bytes ?? 0,
      rxPackets: rx.packets ?? 0,
      rxErrors: rx.errors ?? 0,
      rxDropped: rx.dropped ?? 0,
      txBytes: tx.bytes ?? 0,
      txPackets: tx.packets ?? 0,
      txErrors: tx.errors ?? 0,
      txDropped: tx.dropped ?? 0,
    };
  }
  return { netns, atMs, interfaces };
}

/** What changed on one interface, and its share of the bytes among the interfaces read. */
export interface InterfaceDelta extends InterfaceCounters {
  /** This interface's transmitted bytes over all listed interfaces' (0 when none moved). */
  txShare: number;
  rxShare: number;
}

export interface CounterDelta {
  netns: string;
  elapsedMs: number;
  interfaces: Record<string, InterfaceDelta>;
}

/**
 * The difference between two snapshots of the same namespace, for the interfaces in both: how the
 * traffic spread over, say, a bond's slaves.
 */
export function counterDelta(before: CounterSnapshot, after: CounterSnapshot): CounterDelta {
  if (before.netns !== after.netns) {
    throw new InputError('after', after.netns, `expected counters of ${before.netns} as well`);
  }
  const diffs: [string, InterfaceCounters][] = [];
  for (const [name, b] of Object.entries(before.interfaces)) {
    const a = after.interfaces[name];
    if (a === undefined) continue;
    diffs.push([
      name,
      {
        rxBytes: a.rxBytes - b.rxBytes,
        rxPackets: a.rxPackets - b.rxPackets,
        rxErrors: a.rxErrors - b.rxErrors,
        rxDropped: a.rxDropped - b.rxDropped,
        txBytes: a.txBytes - b.txBytes,
        txPackets: a.txPackets - b.txPackets,
        txErrors: a.txErrors - b.txErrors,
        txDropped: a.txDropped - b.txDropped,
      },
    ]);
  }
  const txTotal = diffs.reduce((s, [, d]) => s + d.txBytes, 0);
  const rxTotal = diffs.reduce((s, [, d]) => s + d.rxBytes, 0);
  return {
    netns: before.netns,
    elapsedMs: after.atMs - before.atMs,
    interfaces: Object.fromEntries(
      diffs.map(([name, d]) => [
        name,
        {
          ...d,
          txShare: txTotal === 0 ? 0 : d.txBytes / txTotal,
          rxShare: rxTotal === 0 ? 0 : d.rxBytes / rxTotal,
        },
      ]),
    ),
  };
}
