import { release } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { BondlabError, InputError } from '../errors.js';
import { carrierLoss } from '../faults/carrier.js';
import { FaultInjector, type Fault, type FaultEvent } from '../faults/fault.js';
import type { RunContext } from '../lifecycle/run-context.js';
import type { ResolvedBond } from '../topology/resolve.js';
import { readBondLinks } from '../topology/state.js';
import type { Topology } from '../topology/topology.js';
import { expectInteger } from '../topology/validate.js';
import { failoverArrivals, type FailoverArrivals } from './arrivals.js';
import { toMicros } from './clock.js';
import type { LinkEvent } from './link-events.js';
import { LinkMonitor } from './link-monitor.js';
import { analyseProbe, type ProbeResult } from './probe-analysis.js';
import { ProbeStream, probeTickFor, validateProbeOptions, type ProbeOptions } from './probe.js';
import { measureThroughput, type ThroughputOptions, type ThroughputResult } from './throughput.js';
import type { Metric } from './repeat.js';
import { timerResolution, type TimerResolution } from './timer-resolution.js';

export interface FailoverOptions {
  /** The bond under test; default the topology's only bond. */
  bond?: { host: string; name: string };
  /** The host the probes go to, across the bond. */
  peer: string;
  /** The fault; default carrier loss on the bond's active slave. */
  fault?: (
    topology: Topology,
    bond: ResolvedBond,
    activeSlave: string | undefined,
  ) => Fault | Promise<Fault>;
  probe?: ProbeOptions;
  /** Probing before the fault, ms. Default 500. */
  beforeMs?: number;
  /** From the fault to its restore, ms. Default 2000. */
  faultMs?: number;
  /** After the restore (failback), ms; 0 leaves the fault in place to the end. Default 1000. */
  afterMs?: number;
  /** Run iperf3 across the fault too (its per-interval series shows the dip). */
  throughput?: Omit<ThroughputOptions, 'from' | 'to' | 'durationS'>;
}

/** Kernel events relative to the fault, ms (negative: before it). */
export interface TimelineEvent extends LinkEvent {
  sinceFaultMs: number;
}

export interface FailoverResult {
  kernelRelease: string;
  resolution: TimerResolution;
  bond: { host: string; name: string };
  peer: string;
  fault: { kind: string; target: string; describe: string };
  activeBefore: string | undefined;
  activeAfter: string | undefined;
  /** The data plane from the fault to its restore. */
  failover: ProbeResult;
  /** The data plane from the restore on; undefined when the fault stayed. */
  failback: ProbeResult | undefined;
  /**
   * Each direction's probes from shortly before the fault (200 ms, or the whole before-window if
   * shorter) to the end (the failback included), for the timeline chart; times since the fault.
   */
  arrivals: FailoverArrivals;
  /** The control plane: the bond's namespace as netlink reported it. */
  events: TimelineEvent[];
  /** Fault to the bond's BONDING FAILOVER event (or to the new active slave), ms. */
  detectionMs: number | undefined;
  /** Fault to the slave being declared down (MII status), ms. */
  slaveDownMs: number | undefined;
  /** Fault to a slave leaving service (its role turning backup: 802.3ad, ARP monitor), ms. */
  slaveInactiveMs: number | undefined;
  /** Slaves that left service between the fault and its restore. */
  slavesOut: number;
  /** Restore to the slave declared up again (MII status), ms: updelay shows here. */
  slaveUpMs: number | undefined;
  /** Restore to the first BONDING FAILOVER after it, ms: the failback, where there is one. */
  failbackMs: number | undefined;
  /** BONDING FAILOVER events after the restore (0: the bond stayed where it was). */
  failbacks: number | undefined;
  /** The longer of the two directions' outages, ms (0 when no probe was lost). */
  outageMs: number;
  faultEvents: FaultEvent[];
  throughput: ThroughputResult | undefined;
  /**
   * When the throughput clients started, ms since the fault (negative: before it): where the fault
   * falls on `throughput.counters.series` and iperf3's intervals, whose times count from there.
   */
  throughputStartMs: number | undefined;
}

/** How much of the calm before the fault the arrival series shows. */
const ARRIVALS_LEAD_MS = 200;

function checkOptions(options: FailoverOptions): {
  beforeMs: number;
  faultMs: number;
  afterMs: number;
  probe: Required<ProbeOptions>;
} {
  return {
    beforeMs: expectInteger('beforeMs', options.beforeMs ?? 500, 100, 60_000, 'ms'),
    faultMs: expectInteger('faultMs', options.faultMs ?? 2_000, 10, 600_000, 'ms'),
    afterMs: expectInteger('afterMs', options.afterMs ?? 1_000, 0, 600_000, 'ms'),
    probe: validateProbeOptions(options.probe ?? {}),
  };
}

function pickBond(topology: Topology, wanted: FailoverOptions['bond']): ResolvedBond {
  const bonds = topology.resolved.bonds;
  const found =
    wanted === undefined
      ? bonds.length === 1
        ? bonds[0]
        : undefined
      : bonds.find((b) => b.host === wanted.host && b.name === wanted.name);
  if (found === undefined) {
    throw new InputError(
      'bond',
      wanted === undefined ? '(default)' : `${wanted.host}:${wanted.name}`,
      `expected one of the topology's bonds: ${bonds.map((b) => `${b.host}:${b.name}`).join(', ') || 'none'}`,
    );
  }
  return found;
}

/**
 * Measures one failover: probes run both ways across the bond, the kernel's link events are
 * recorded in the bond's namespace, the fault is injected (by default carrier loss on the active
 * slave) and later restored. Reports the data-plane outage and the control-plane detection side
 * by side, on one clock.
 */
export async function measureFailover(
  run: RunContext,
  topology: Topology,
  options: FailoverOptions,
): Promise<FailoverResult> {
  const checked = checkOptions(options);
  const bond = pickBond(topology, options.bond);
  topology.netns(options.peer);
  const readLinks = (): ReturnType<typeof readBondLinks> =>
    readBondLinks(topology.netns(bond.host), bond.name, { signal: run.signal });
  const before = await readLinks();
  const activeBefore = before.activeSlave;
  const fault = await (options.fault ?? defaultFault)(topology, bond, activeBefore);
  const resolution = await timerResolution();
  run.log(
    `failover: read ${bond.name} (active ${activeBefore ?? 'none'}); starting monitor, driver, probes`,
  );
  const totalMs = checked.beforeMs + checked.faultMs + checked.afterMs;
  // Started together: inside User-mode Linux each of these costs a process start.
  const [monitor, injector, stream] = await Promise.all([
    LinkMonitor.start(run, topology.netns(bond.host), before.slaves),
    FaultInjector.start(run, topology, [fault]),
    ProbeStream.start(run, topology, bond.host, options.peer, {
      ...checked.probe,
      tickMs: options.probe?.tickMs ?? probeTickFor(resolution),
      maxDurationMs: Math.min(checked.probe.maxDurationMs, totalMs + 60_000),
    }),
  ]);
  const throughput =
    options.throughput === undefined
      ? undefined
      : measureThroughput(run, topology, {
          // Tenths of a second, so the dip shows; the slaves' counters show where traffic went.
          intervalMs: 100,
          counters: bond.slaves,
          ...options.throughput,
          from: bond.host,
          to: options.peer,
          durationS: Math.ceil(totalMs / 1000) + 1,
        });
  run.log('failover: monitor, driver and probes started');
  let injected: FaultEvent;
  let restored: FaultEvent | undefined;
  try {
    await sleep(checked.beforeMs, undefined, { signal: run.signal });
    injected = injector.inject(fault);
    run.log(`failover: ${fault.describe}`);
    await sleep(checked.faultMs, undefined, { signal: run.signal });
    if (checked.afterMs > 0) {
      restored = injector.restore(fault);
      run.log(`failover: ${fault.kind} restored`);
      await sleep(checked.afterMs, undefined, { signal: run.signal });
    }
  } catch (error) {
    await Promise.all([stream.abort(), monitor.abort()]);
    throw error;
  }
  // The bond as the window closes, read while the probes stop and before a fault still in place
  // (afterMs 0) is undone by closing the injector.
  const reading = readLinks();
  const [capture, after, events, throughputResult] = await Promise.all([
    stream.stop(run.signal),
    reading,
    monitor.stop(),
    throughput,
  ]);
  await injector.close();
  run.log(`failover: stopped (${bond.name} active ${after.activeSlave ?? 'none'})`);

  const faultAt = injected.atMs;
  const failover = analyseProbe(capture, {
    faultAtMs: faultAt,
    ...(restored === undefined ? {} : { untilMs: restored.atMs }),
  });
  const failback =
    restored === undefined ? undefined : analyseProbe(capture, { faultAtMs: restored.atMs });
  const arrivals = failoverArrivals(capture, {
    faultAtMs: faultAt,
    restoreAtMs: restored?.atMs,
    leadMs: Math.min(ARRIVALS_LEAD_MS, checked.beforeMs),
  });
  const timeline = events.map((e) => ({ ...e, sinceFaultMs: toMicros(e.atMs - faultAt) }));
  const untilRestore = (e: TimelineEvent): boolean =>
    e.sinceFaultMs >= 0 && (restored === undefined || e.atMs < restored.atMs);
  const firstOf = (match: (e: TimelineEvent) => boolean): number | undefined =>
    timeline.find((e) => untilRestore(e) && match(e))?.sinceFaultMs;
  const sinceRestore = (match: (e: LinkEvent) => boolean): number | undefined => {
    if (restored === undefined) return undefined;
    const found = events.find((e) => e.atMs >= restored.atMs && match(e));
    return found === undefined ? undefined : toMicros(found.atMs - restored.atMs);
  };
  const faulted = fault.target.split(':')[1];
  return {
    kernelRelease: release(),
    resolution,
    bond: { host: bond.host, name: bond.name },
    peer: options.peer,
    fault: { kind: fault.kind, target: fault.target, describe: fault.describe },
    activeBefore,
    activeAfter: after.activeSlave,
    failover,
    failback,
    arrivals,
    events: timeline,
    detectionMs:
      firstOf((e) => e.kind === 'failover') ??
      firstOf((e) => e.kind === 'slave-active' && e.ifname !== activeBefore),
    slaveDownMs: firstOf((e) => e.kind === 'slave-down' && e.ifname === faulted),
    // Any slave: after LACPDU loss, the slave that leaves is not the port the fault names.
    slaveInactiveMs: firstOf((e) => e.kind === 'slave-backup' && bond.slaves.includes(e.ifname)),
    slavesOut: timeline.filter(
      (e) => untilRestore(e) && e.kind === 'slave-backup' && bond.slaves.includes(e.ifname),
    ).length,
    slaveUpMs: sinceRestore((e) => e.kind === 'slave-up' && e.ifname === faulted),
    failbackMs: sinceRestore((e) => e.kind === 'failover'),
    failbacks:
      restored === undefined
        ? undefined
        : events.filter((e) => e.kind === 'failover' && e.atMs >= restored.atMs).length,
    outageMs: failover.outageMs ?? 0,
    faultEvents: injector.events,
    throughput: throughputResult,
    throughputStartMs:
      throughputResult === undefined ? undefined : toMicros(throughputResult.startedAtMs - faultAt),
  };
}

function defaultFault(topology: Topology, bond: ResolvedBond, active: string | undefined): Fault {
  // Without an active slave (the balancing modes), the first slave is the one that fails.
  const slave = active ?? bond.slaves[0];
  if (slave === undefined) {
    throw new BondlabError('E_MEASUREMENT', `bond ${bond.host}:${bond.name} has no slave to fail`);
  }
  return carrierLoss(topology, bond.host, slave);
}

/** What a failover measurement yields, per repetition. */
export const FAILOVER_METRICS: readonly Metric<FailoverResult>[] = [
  { name: 'detection', unit: 'ms', better: 'lower', read: (r) => r.detectionMs },
  { name: 'slave-down', unit: 'ms', better: 'lower', read: (r) => r.slaveDownMs },
  { name: 'slave-inactive', unit: 'ms', better: 'lower', read: (r) => r.slaveInactiveMs },
  { name: 'slaves-out', unit: 'slaves', better: 'lower', read: (r) => r.slavesOut },
  { name: 'outage', unit: 'ms', better: 'lower', read: (r) => r.outageMs },
  { name: 'lost', unit: 'probes', better: 'lower', read: (r) => r.failover.lost },
  {
    name: 'fault-to-first-probe',
    unit: 'ms',
    better: 'lower',
    read: (r) => {
      const both = [r.failover.aToB.outage?.faultToFirstMs, r.failover.bToA.outage?.faultToFirstMs];
      const known = both.filter((v): v is number => v !== undefined);
      return known.length === 0 ? undefined : Math.max(...known);
    },
  },
  {
    name: 'failback-outage',
    unit: 'ms',
    better: 'lower',
    read: (r) => r.failback?.outageMs ?? (r.failback === undefined ? undefined : 0),
  },
  { name: 'slave-up', unit: 'ms', better: 'lower', read: (r) => r.slaveUpMs },
  { name: 'failback', unit: 'ms', better: 'lower', read: (r) => r.failbackMs },
  { name: 'failbacks', unit: 'events', better: 'lower', read: (r) => r.failbacks },
  {
    name: 'throughput',
    unit: 'Gbit/s',
    better: 'higher',
    read: (r) =>
      r.throughput === undefined
        ? undefined
        : r.throughput.aggregate.totals.received.bitsPerSecond / 1e9,
  },
];
