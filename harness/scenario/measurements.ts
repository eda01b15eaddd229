import { BondlabError } from '../errors.js';
import { carrierLoss } from '../faults/carrier.js';
import type { Fault } from '../faults/fault.js';
import { degrade } from '../faults/degrade.js';
import { lacpduLoss } from '../faults/lacp.js';
import { portDisabled } from '../faults/port.js';
import { slaveDown } from '../faults/slave-down.js';
import { uplinkFailure } from '../faults/uplink.js';
import type { RunContext } from '../lifecycle/run-context.js';
import { FAILOVER_METRICS, measureFailover, type FailoverResult } from '../measure/failover.js';
import type { Metric } from '../measure/repeat.js';
import { measureThroughput, type ThroughputResult } from '../measure/throughput.js';
import type { ResolvedBond } from '../topology/resolve.js';
import type { Topology } from '../topology/topology.js';
import type { MeasurementResult } from './result.js';
import type { FaultSpec, MeasurementSpec } from './types.js';

/** The id that names a measurement's metrics. */
export function measurementId(spec: MeasurementSpec): string {
  return spec.id ?? spec.kind;
}

const PROBE_COUNTS: readonly Metric<FailoverResult>[] = [
  {
    name: 'reordered',
    unit: 'probes',
    better: 'lower',
    read: (r) => r.failover.aToB.reordered + r.failover.bToA.reordered,
  },
  {
    name: 'duplicated',
    unit: 'probes',
    better: 'lower',
    read: (r) => r.failover.aToB.duplicated + r.failover.bToA.duplicated,
  },
];

const THROUGHPUT_METRICS: readonly Metric<ThroughputResult>[] = [
  {
    name: 'mbit',
    unit: 'Mbit/s',
    better: 'higher',
    read: (r) => r.aggregate.totals.received.bitsPerSecond / 1e6,
  },
  {
    name: 'retransmits',
    unit: 'segments',
    better: 'lower',
    read: (r) => r.aggregate.totals.retransmits,
  },
  {
    name: 'busiest-slave-share',
    unit: '%',
    better: 'lower',
    read: (r) => {
      const shares = Object.values(r.counters?.delta.interfaces ?? {}).map((d) => d.txShare);
      return shares.length === 0 ? undefined : 100 * Math.max(...shares);
    },
  },
];

/** The metrics a measurement kind yields, by name (without the id). */
export function metricsOf(kind: MeasurementSpec['kind']): readonly Metric<never>[] {
  return kind === 'failover' ? [...FAILOVER_METRICS, ...PROBE_COUNTS] : THROUGHPUT_METRICS;
}

function bondOf(topology: Topology, host: string): ResolvedBond {
  const bond = topology.resolved.bonds.find((b) => b.host === host);
  if (bond === undefined) {
    throw new BondlabError('E_MEASUREMENT', `a failover measurement needs a bond on ${host}`);
  }
  return bond;
}

/** The Fault for a spec, on the built topology (the active slave is known only now). */
function faultFor(
  spec: FaultSpec,
): (topology: Topology, bond: ResolvedBond, active: string | undefined) => Fault | Promise<Fault> {
  return (topology, bond, active) => {
    const slave = (given: string | undefined): string => given ?? active ?? bond.slaves[0] ?? '';
    switch (spec.kind) {
      case 'carrier-loss':
        return carrierLoss(topology, spec.host ?? bond.host, slave(spec.slave));
      case 'slave-down':
        return slaveDown(topology, spec.host ?? bond.host, slave(spec.slave));
      case 'port-disabled':
        return portDisabled(topology, spec.switch, spec.port);
      case 'uplink-failure':
        return uplinkFailure(topology, spec.switch, spec.port);
      case 'lacpdu-loss':
        return lacpduLoss(topology, spec.switch, spec.port);
      case 'degrade': {
        const { kind: _kind, node, ifname, ...how } = spec;
        return degrade(topology, node, ifname, how);
      }
    }
  };
}

/** Runs one measurement of a case on its built topology. */
export async function runMeasurement(
  run: RunContext,
  topology: Topology,
  spec: MeasurementSpec,
): Promise<MeasurementResult> {
  const id = measurementId(spec);
  if (spec.kind === 'failover') {
    const bond = bondOf(topology, spec.host ?? 'client');
    const result = await measureFailover(run, topology, {
      bond: { host: bond.host, name: bond.name },
      peer: spec.peer ?? 'server',
      fault: faultFor(spec.fault),
      ...(spec.rate === undefined ? {} : { probe: { rate: spec.rate } }),
      ...(spec.beforeMs === undefined ? {} : { beforeMs: spec.beforeMs }),
      ...(spec.faultMs === undefined ? {} : { faultMs: spec.faultMs }),
      ...(spec.afterMs === undefined ? {} : { afterMs: spec.afterMs }),
    });
    return { id, kind: 'failover', result };
  }
  const bond = topology.resolved.bonds[0];
  const from = spec.from ?? bond?.host ?? 'client';
  const result = await measureThroughput(run, topology, {
    from,
    to: spec.to ?? 'server',
    flows: spec.flows ?? 4,
    protocol: spec.protocol ?? 'tcp',
    durationS: spec.durationS ?? 3,
    omitS: spec.omitS ?? 1,
    ...(spec.slaveCounters !== false && bond !== undefined && bond.host === from
      ? { counters: bond.slaves }
      : {}),
  });
  return { id, kind: 'throughput', result };
}
