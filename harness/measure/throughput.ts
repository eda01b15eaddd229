import { InputError } from '../errors.js';
import { Batch } from '../exec/batch.js';
import { listNetns } from '../lifecycle/netns.js';
import type { RunContext } from '../lifecycle/run-context.js';
import { segmentAddress } from '../topology/addresses.js';
import type { L3Interface } from '../topology/resolve.js';
import type { Topology } from '../topology/topology.js';
import {
  expectBoolean,
  expectInteger,
  expectKnownKeys,
  expectRecord,
} from '../topology/validate.js';
import { monotonicMs } from './clock.js';
import { CounterSampler, keepProcessIn, type SamplerOutcome } from './counter-series.js';
import { counterDelta, readCounters, type CounterDelta, type CounterSnapshot } from './counters.js';
import {
  CLIENT_MARGIN_MS,
  FIRST_CLIENT_PORT,
  FIRST_SERVER_PORT,
  runIperf3Flows,
  startIperf3Servers,
  stopIperf3Servers,
  type Iperf3Flow,
  type Iperf3FlowsResult,
} from './iperf3.js';
import type { Iperf3Protocol } from './iperf3-json.js';
import type { CounterSeries } from './series.js';

export interface ThroughputOptions {
  /** The sending host (iperf3 clients). */
  from: string;
  /** The receiving host (iperf3 servers). */
  to: string;
  /** Which addressed interface of `from` to send from; default its first (a bond, if any). */
  fromInterface?: string;
  /** Which addressed interface of `to` receives; default its first. */
  toInterface?: string;
  /** Default 4. */
  family?: 4 | 6;
  /** Parallel flows, 1-16, each its own client process, server port and client port. Default 1. */
  flows?: number;
  /** Default 'tcp'. */
  protocol?: Iperf3Protocol;
  /** Seconds measured, 1-600. Default 10. */
  durationS?: number;
  /** Warm-up seconds before them, reported but left out of the totals, 0-60. Default 0. */
  omitS?: number;
  /** Length of each reported interval, 100-10000 ms (iperf3 -i). Default 1000; 100 shows a failover's dip. */
  intervalMs?: number;
  /** UDP only: target rate of each flow, Mbit/s. Default 100. */
  udpBitrateMbit?: number;
  /**
   * Give flow i ≥ 1 its own server address, so layer2+3 hashing can spread flows as well as
   * layer3+4. The addresses are host number 200 + i of the receiving interface's /24 and /64
   * (hosts are numbered from 1 up, so the top of the range is free), added for the measurement
   * and removed after it. Default false: every flow goes to the host's own address.
   */
  distinctAddresses?: boolean;
  /** Interfaces of `from` whose counters are read before and after (a bond's slaves, say). */
  counters?: string[];
}

export interface ThroughputCounters {
  before: CounterSnapshot;
  after: CounterSnapshot;
  delta: CounterDelta;
  /**
   * The same interfaces sampled every `series.intervalMs` while the clients ran (before the first
   * client started to after the last ended), times since `ThroughputResult.startedAtMs`; undefined
   * when sampling failed, and `seriesError` says why.
   */
  series: CounterSeries | undefined;
  /** Why the series is missing or ends early; undefined when it covers the whole run. */
  seriesError: string | undefined;
}

export interface ThroughputResult extends Iperf3FlowsResult {
  from: string;
  to: string;
  family: 4 | 6;
  protocol: Iperf3Protocol;
  durationS: number;
  omitS: number;
  /** The rate each UDP flow was asked for; undefined for TCP. */
  udpBitsPerSecond: number | undefined;
  /** The address the clients sent from. */
  bind: string;
  /** When asked for: the counters of `from`'s interfaces around the whole run (warm-up too). */
  counters: ThroughputCounters | undefined;
  /**
   * When the clients were started, monotonic ms (the clock of a failover's fault events): the
   * anchor of `counters.series`.
   */
  startedAtMs: number;
}

/** Counter samples at most per measurement: a longer one is sampled less often than 100 ms. */
const MAX_COUNTER_SAMPLES = 1_000;
const COUNTER_INTERVAL_MS = 100;

/** Between the client ports of successive flows (see planThroughput). */
export const CLIENT_PORT_STEP = 3;

/** Host number of the first extra server address: the top of a segment, clear of allocated hosts. */
export const EXTRA_ADDRESS_BASE = 200;
const MAX_FLOWS = 16;
const DEFAULT_UDP_MBIT = 100;

interface Plan {
  from: string;
  to: string;
  family: 4 | 6;
  protocol: Iperf3Protocol;
  durationS: number;
  omitS: number;
  intervalMs: number;
  udpBitsPerSecond: number | undefined;
  counters: string[] | undefined;
  bind: string;
  receiver: L3Interface;
  flows: Iperf3Flow[];
  /** Server addresses this measurement adds (and removes). */
  extraAddresses: string[];
}

const OPTION_KEYS = [
  'from',
  'to',
  'fromInterface',
  'toInterface',
  'family',
  'flows',
  'protocol',
  'durationS',
  'omitS',
  'intervalMs',
  'udpBitrateMbit',
  'distinctAddresses',
  'counters',
];

/** Checks every option against the topology; raises InputError before anything is started. */
function planThroughput(topology: Topology, input: ThroughputOptions): Plan {
  const o = expectRecord('options', input);
  expectKnownKeys('options', o, OPTION_KEYS);
  const hosts = topology.resolved.hosts;
  const host = (field: string, value: unknown): string => {
    if (typeof value !== 'string' || !hosts.includes(value))
      throw new InputError(field, value, `expected a host of the topology: ${hosts.join(', ')}`);
    return value;
  };
  const from = host('from', o.from);
  const to = host('to', o.to);
  if (from === to) throw new InputError('to', to, 'expected a host other than "from"');
  const family = o.family ?? 4;
  if (family !== 4 && family !== 6) throw new InputError('family', family, 'expected 4 or 6');
  const protocol = o.protocol ?? 'tcp';
  if (protocol !== 'tcp' && protocol !== 'udp')
    throw new InputError('protocol', protocol, 'expected "tcp" or "udp"');
  const flowCount = expectInteger('flows', o.flows ?? 1, 1, MAX_FLOWS);
  const durationS = expectInteger('durationS', o.durationS ?? 10, 1, 600, 's');
  const omitS = expectInteger('omitS', o.omitS ?? 0, 0, 60, 's');
  const intervalMs = expectInteger('intervalMs', o.intervalMs ?? 1000, 100, 10_000, 'ms');
  let udpBitsPerSecond: number | undefined;
  if (protocol === 'udp') {
    const mbit = o.udpBitrateMbit ?? DEFAULT_UDP_MBIT;
    if (typeof mbit !== 'number' || !Number.isFinite(mbit) || mbit < 0.001 || mbit > 100_000)
      throw new InputError('udpBitrateMbit', mbit, 'expected a rate from 0.001 to 100000 Mbit/s');
    udpBitsPerSecond = Math.round(mbit * 1_000_000);
  } else if (o.udpBitrateMbit !== undefined) {
    throw new InputError('udpBitrateMbit', o.udpBitrateMbit, 'only for protocol "udp"');
  }
  const distinct = expectBoolean('distinctAddresses', o.distinctAddresses ?? false);

  const addressed = (field: string, node: string, value: unknown): L3Interface => {
    const own = topology.resolved.interfaces.filter((i) => i.host === node);
    const found = value === undefined ? own[0] : own.find((i) => i.ifname === value);
    if (found === undefined) {
      const names = own.map((i) => i.ifname).join(', ') || 'none';
      throw new InputError(field, value, `expected an addressed interface of ${node}: ${names}`);
    }
    return found;
  };
  const sender = addressed('fromInterface', from, o.fromInterface);
  const receiver = addressed('toInterface', to, o.toInterface);
  const pick = (i: L3Interface): string => (family === 4 ? i.ipv4 : i.ipv6);

  let counters: string[] | undefined;
  if (o.counters !== undefined) {
    const own = [
      'lo',
      ...topology.resolved.links
        .flatMap((l) => [l.a, l.b])
        .filter((e) => e.node === from)
        .map((e) => e.ifname),
      ...topology.resolved.bonds.filter((b) => b.host === from).map((b) => b.name),
    ];
    if (!Array.isArray(o.counters) || o.counters.length === 0)
      throw new InputError('counters', o.counters, `expected a list of ${from}'s interfaces`);
    counters = o.counters.map((c: unknown, i) => {
      if (typeof c !== 'string' || !own.includes(c))
        throw new InputError(`counters[${i}]`, c, `expected one of ${from}'s: ${own.join(', ')}`);
      return c;
    });
  }

  const taken = new Set(topology.resolved.interfaces.map(pick));
  const flows: Iperf3Flow[] = [];
  const extraAddresses: string[] = [];
  for (let i = 0; i < flowCount; i++) {
    let server = pick(receiver);
    if (distinct && i > 0) {
      const a = segmentAddress(receiver.segment, EXTRA_ADDRESS_BASE + i);
      server = family === 4 ? a.ipv4 : a.ipv6;
      if (taken.has(server))
        throw new InputError('distinctAddresses', true, `${server} is already a host's address`);
      extraAddresses.push(server);
    }
    // Client ports step by 3, not 1: with the bonding driver's layer3+4 hash, a source and a
    // destination port that both step by 1 hash alike and every flow lands on the same slave.
    flows.push({
      server,
      port: FIRST_SERVER_PORT + i,
      clientPort: FIRST_CLIENT_PORT + CLIENT_PORT_STEP * i,
    });
  }
  return {
    from,
    to,
    family,
    protocol,
    durationS,
    omitS,
    intervalMs,
    udpBitsPerSecond,
    counters,
    bind: pick(sender),
    receiver,
    flows,
    extraAddresses,
  };
}

/**
 * Adds the extra server addresses to the receiving interface, the removal registered with the run
 * first. Returns the removal, to run as soon as the measurement ends.
 */
async function addServerAddresses(
  run: RunContext,
  netns: string,
  plan: Plan,
): Promise<() => Promise<void>> {
  if (plan.extraAddresses.length === 0) return () => Promise.resolve();
  const { ifname } = plan.receiver;
  const prefix = plan.family === 4 ? plan.receiver.prefix4 : plan.receiver.prefix6;
  // No duplicate address detection: a tentative IPv6 address cannot be bound for a second or so.
  const extra = plan.family === 6 ? ['nodad'] : [];
  const add = new Batch('ip', netns);
  const del = new Batch('ip', netns);
  for (const a of plan.extraAddresses) {
    add.add('address', 'add', `${a}/${prefix}`, 'dev', ifname, ...extra);
    del.add('address', 'del', `${a}/${prefix}`, 'dev', ifname);
  }
  let removed = false;
  const remove = async (): Promise<void> => {
    drop();
    if (removed) return;
    removed = true;
    // The topology may be gone already, and its addresses with it.
    if (!listNetns().includes(netns)) return;
    await del.commit({ force: true, timeoutMs: 10_000 });
  };
  const drop = run.defer(
    `remove ${plan.extraAddresses.length} server address(es) from ${plan.to}:${ifname}`,
    remove,
  );
  await add.commit({ signal: run.signal });
  return remove;
}

function describe(sampled: SamplerOutcome): string {
  const count = `${sampled.series?.atMs.length ?? 0} counter samples`;
  return sampled.error === undefined ? count : `${count} (${sampled.error})`;
}

/**
 * A sampler of the `counters` interfaces while the clients run, every 100 ms (less often for a
 * long run, so the series stays bounded); undefined when no counters are asked for.
 */
function startSampler(
  run: RunContext,
  netns: string,
  plan: Plan,
  anchorMs: number,
): CounterSampler | undefined {
  if (plan.counters === undefined) return undefined;
  const expectedMs = (plan.durationS + plan.omitS) * 1000;
  const intervalMs = Math.max(
    COUNTER_INTERVAL_MS,
    Math.ceil(expectedMs / MAX_COUNTER_SAMPLES / COUNTER_INTERVAL_MS) * COUNTER_INTERVAL_MS,
  );
  return CounterSampler.start(
    run,
    {
      netns,
      ifnames: plan.counters,
      intervalMs,
      maxDurationMs: expectedMs + CLIENT_MARGIN_MS,
    },
    anchorMs,
  );
}

/**
 * Measures throughput from one host of a built topology to another with iperf3: one server per
 * flow in the receiver's namespace (each checked ready), the clients side by side in the sender's,
 * each bound to the sender's address and its own client port. Servers and extra addresses are
 * removed when it ends, and by the run's teardown if it is interrupted. Options are checked first:
 * bad ones raise InputError before anything starts.
 */
export async function measureThroughput(
  run: RunContext,
  topology: Topology,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  const plan = planThroughput(topology, options);
  const clientNetns = topology.netns(plan.from);
  const serverNetns = topology.netns(plan.to);
  run.log(
    `throughput: ${plan.flows.length} ${plan.protocol} flow(s) ${plan.from} to ${plan.to} for ${plan.durationS} s (+${plan.omitS} s warm-up)`,
  );
  const removeAddresses = await addServerAddresses(run, serverNetns, plan);
  // Started with the servers, whose start it overlaps: a process in the sender's namespace for
  // the counter sampler to read through, from before the clients start to after they end.
  const keeper =
    plan.counters === undefined
      ? undefined
      : keepProcessIn(run, clientNetns, (plan.durationS + plan.omitS) * 1000 + CLIENT_MARGIN_MS);
  let sampler: CounterSampler | undefined;
  try {
    const servers = await startIperf3Servers(
      run,
      serverNetns,
      plan.flows.map((f) => ({ address: f.server, port: f.port })),
    );
    run.log(`throughput: ${servers.length} server(s) ready`);
    try {
      const read = (): Promise<CounterSnapshot> | undefined =>
        plan.counters === undefined
          ? undefined
          : readCounters(clientNetns, plan.counters, { signal: run.signal });
      const before = await read();
      const startedAtMs = monotonicMs();
      sampler = startSampler(run, clientNetns, plan, startedAtMs);
      const measured = await runIperf3Flows({
        netns: clientNetns,
        bind: plan.bind,
        flows: plan.flows,
        protocol: plan.protocol,
        durationS: plan.durationS,
        omitS: plan.omitS,
        intervalS: plan.intervalMs / 1000,
        ...(plan.udpBitsPerSecond === undefined ? {} : { udpBitsPerSecond: plan.udpBitsPerSecond }),
        signal: run.signal,
      });
      const sampled = sampler?.stop();
      const after = await read();
      run.log(`throughput: clients done${sampled === undefined ? '' : `; ${describe(sampled)}`}`);
      return {
        ...measured,
        from: plan.from,
        to: plan.to,
        family: plan.family,
        protocol: plan.protocol,
        durationS: plan.durationS,
        omitS: plan.omitS,
        udpBitsPerSecond: plan.udpBitsPerSecond,
        bind: plan.bind,
        counters:
          before === undefined || after === undefined
            ? undefined
            : {
                before,
                after,
                delta: counterDelta(before, after),
                series: sampled?.series,
                seriesError: sampled?.error,
              },
        startedAtMs,
      };
    } finally {
      await stopIperf3Servers(servers);
      run.log('throughput: servers stopped');
    }
  } finally {
    sampler?.stop();
    await keeper?.stop();
    await removeAddresses();
  }
}
