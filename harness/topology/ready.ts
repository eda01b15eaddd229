import pRetry, { AbortError } from 'p-retry';
import { BondlabError } from '../errors.js';
import { Batch } from '../exec/batch.js';
import type { ResolvedTopology } from './resolve.js';
import { readLinksOf, type IpLink } from './state.js';

export interface WaitOptions {
  signal?: AbortSignal | undefined;
  /** Give up after this long. Default 20 s. */
  timeoutMs?: number;
  /** Told how long the wait took and what it waited for last. */
  log?: (line: string) => void;
}

/**
 * Retries `probe` until it returns undefined (ready) or the deadline passes. `probe` returns a
 * sentence saying what is not ready yet, which becomes the error if it never is.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<string | undefined>,
  options: WaitOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal =
    options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
  let last = 'not checked yet';
  let checks = 0;
  const started = performance.now();
  try {
    await pRetry(
      async () => {
        if (options.signal?.aborted === true) throw new AbortError(String(options.signal.reason));
        checks++;
        const missing = await probe();
        if (missing !== undefined) {
          last = missing;
          throw new Error(missing);
        }
      },
      // Bounded: at most ~20 s and 200 attempts, polling fast at first.
      { retries: 200, minTimeout: 10, factor: 1.3, maxTimeout: 250, randomize: false, signal },
    );
    const waited = `${Math.round(performance.now() - started)} ms, ${checks} check(s)`;
    options.log?.(`${what} ready after ${waited}${checks > 1 ? `; last waited for: ${last}` : ''}`);
  } catch (error) {
    options.signal?.throwIfAborted();
    throw new BondlabError('E_NOT_READY', `${what} not ready after ${timeoutMs} ms: ${last}`, {
      cause: error,
    });
  }
}

/**
 * Why a link is not ready yet, or undefined when it is. Carrier (LOWER_UP) is what forwarding
 * depends on; operstate follows it only after linkwatch's delay of up to a second.
 */
function linkProblem(l: IpLink): string | undefined {
  if (!l.flags.includes('UP')) return `${l.ifname} is administratively down`;
  if (!l.flags.includes('LOWER_UP')) return `${l.ifname} has no carrier (${l.operstate})`;
  return undefined;
}

/** Why a bridge port does not forward yet. */
function portProblem(l: IpLink): string | undefined {
  const state = l.linkinfo?.info_slave_data?.state;
  return state === 'forwarding'
    ? undefined
    : `port ${l.ifname} is ${String(state)}, not forwarding`;
}

/** Why a bond cannot carry traffic yet, or undefined when it can. */
export function bondProblem(l: IpLink): string | undefined {
  const data = l.linkinfo?.info_data ?? {};
  const mode = data.mode;
  if (mode === 'active-backup' || mode === 'balance-tlb' || mode === 'balance-alb') {
    if (typeof data.active_slave !== 'string') return `${l.ifname} has no active slave yet`;
  }
  if (mode === '802.3ad') {
    const ad = data.ad_info as { aggregator?: number; num_ports?: number } | undefined;
    if (ad?.aggregator === undefined || (ad.num_ports ?? 0) < 1)
      return `${l.ifname} has no LACP aggregator yet`;
  }
  return linkProblem(l);
}

/**
 * Waits until every interface the topology made is up and every bond can carry traffic: an active
 * slave, or an LACP aggregator. Reads each namespace with one `ip -j` per attempt.
 */
export async function waitForLinks(
  topo: ResolvedTopology,
  netnsOf: (node: string) => string,
  options: WaitOptions = {},
): Promise<void> {
  const expected = new Map<string, Set<string>>();
  const want = (node: string, ifname: string): void => {
    const set = expected.get(node) ?? new Set<string>();
    set.add(ifname);
    expected.set(node, set);
  };
  for (const l of topo.links) {
    want(l.a.node, l.a.ifname);
    want(l.b.node, l.b.ifname);
  }
  for (const s of topo.switches) want(s.name, s.bridge);
  for (const b of topo.bonds) want(b.host, b.name);
  const bonds = new Set(topo.bonds.map((b) => `${b.host}:${b.name}`));
  // Ports left to their default must reach forwarding; the bridge follows carrier by itself.
  const forwarding = new Set(
    topo.switches.flatMap((s) =>
      s.ports
        .filter((p) => (p.state ?? 'forwarding') === 'forwarding')
        .map((p) => `${s.name}:${p.ifname}`),
    ),
  );

  await waitUntil(
    'links',
    async () => {
      const byNetns = await readLinksOf([...expected.keys()].map(netnsOf), {
        signal: options.signal,
      });
      const states = [...expected].map(([node, names]) => {
        const links = byNetns.get(netnsOf(node)) ?? [];
        for (const name of names) {
          const l = links.find((x) => x.ifname === name);
          if (l === undefined) return `${node}:${name} does not exist`;
          const problem = bonds.has(`${node}:${name}`)
            ? bondProblem(l)
            : (linkProblem(l) ?? (forwarding.has(`${node}:${name}`) ? portProblem(l) : undefined));
          if (problem !== undefined) return `${node}: ${problem}`;
        }
        return undefined;
      });
      return states.find((s) => s !== undefined);
    },
    options,
  );
}

/**
 * Waits until a ping crosses each network: from the first host on it to every other one, IPv4 and
 * IPv6. The pings of one attempt run one after the other in one process of node's (ip forks them).
 */
export async function waitForPing(
  topo: ResolvedTopology,
  netnsOf: (node: string) => string,
  options: WaitOptions = {},
): Promise<void> {
  const pairs: { from: string; to: string; family: 'ipv4' | 'ipv6' }[] = [];
  const segments = new Set(topo.interfaces.map((i) => i.segment));
  for (const s of segments) {
    const [first, ...rest] = topo.interfaces.filter((i) => i.segment === s);
    if (first === undefined) continue;
    for (const other of rest) {
      if (other.host === first.host) continue;
      pairs.push({ from: first.host, to: other.ipv4, family: 'ipv4' });
      pairs.push({ from: first.host, to: other.ipv6, family: 'ipv6' });
    }
  }
  let pending = pairs;
  await waitUntil(
    'ping',
    async () => {
      const batch = new Batch('ip');
      for (const p of pending) {
        const family = p.family === 'ipv4' ? '-4' : '-6';
        batch.exec(netnsOf(p.from), 'ping', family, '-n', '-q', '-c', '1', '-W', '1', p.to);
      }
      // -force: a ping that gets no answer exits 1; the others must still run.
      const out = await batch.commit({
        signal: options.signal,
        timeoutMs: 5_000 + 2_000 * pending.length,
        force: true,
        okExitCodes: [1],
      });
      const answered = new Set(
        [
          ...(out?.stdout ?? '').matchAll(
            /--- (\S+) ping statistics ---\n\d+ packets transmitted, (\d+)/g,
          ),
        ]
          .filter((m) => Number(m[2]) > 0)
          .map((m) => m[1]),
      );
      const results = pending.map((p) => answered.has(p.to));
      pending = pending.filter((_, i) => results[i] !== true);
      const p = pending[0];
      return p === undefined
        ? undefined
        : `${p.from} cannot reach ${p.to}${pending.length > 1 ? ` (and ${pending.length - 1} more)` : ''}`;
    },
    options,
  );
}
