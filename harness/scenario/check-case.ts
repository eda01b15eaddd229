import { InputError } from '../errors.js';
import { PROBE_LIMITS } from '../measure/probe-wire.js';
import type { ResolvedBond, ResolvedTopology } from '../topology/resolve.js';
import {
  expectArray,
  expectBoolean,
  expectInteger,
  expectKnownKeys,
  expectRecord,
} from '../topology/validate.js';
import { checkFault } from './check-fault.js';
import { measurementId, metricsOf } from './measurements.js';
import type { MeasurementSpec } from './types.js';

const ID = /^[a-z][a-z0-9-]{0,31}$/;
const OPS = ['<=', '>=', '=='];
const MAX_MEASUREMENTS = 32;
const MAX_EXPECTATIONS = 64;

const KEYS: Readonly<Record<MeasurementSpec['kind'], readonly string[]>> = {
  failover: ['kind', 'id', 'fault', 'host', 'peer', 'rate', 'beforeMs', 'faultMs', 'afterMs'],
  throughput: [
    'kind',
    'id',
    'from',
    'to',
    'flows',
    'protocol',
    'durationS',
    'omitS',
    'slaveCounters',
  ],
};

/**
 * Checks what a case measures against its declared topology, with the bounds the measurements
 * apply when they run (harness/measure: failover's windows, throughput's options): a case that
 * would fail once built fails here, before anything is built or booted. `field` names the case.
 */
export function checkMeasurements(
  field: string,
  value: unknown,
  topology: ResolvedTopology,
): MeasurementSpec[] {
  const list = expectArray(`${field}.measure`, value);
  if (list.length === 0 || list.length > MAX_MEASUREMENTS) {
    throw new InputError(
      `${field}.measure`,
      list.length === 0 ? [] : `${list.length} measurements`,
      `expected 1 to ${MAX_MEASUREMENTS} measurements`,
    );
  }
  return list.map((raw, i) => {
    const f = `${field}.measure[${i}]`;
    const m = expectRecord(f, raw);
    if (m.kind !== 'failover' && m.kind !== 'throughput') {
      throw new InputError(`${f}.kind`, m.kind, 'expected "failover" or "throughput"');
    }
    expectKnownKeys(f, m, KEYS[m.kind]);
    if (m.id !== undefined && (typeof m.id !== 'string' || !ID.test(m.id))) {
      throw new InputError(
        `${f}.id`,
        m.id,
        'expected a lowercase letter, then up to 31 lowercase letters, digits or dashes',
      );
    }
    if (m.kind === 'failover') checkFailover(f, m, topology);
    else checkThroughput(f, m, topology);
    return m as unknown as MeasurementSpec;
  });
}

function host(field: string, value: unknown, fallback: string, topology: ResolvedTopology): string {
  const h = value === undefined ? fallback : value;
  if (typeof h !== 'string' || !topology.hosts.includes(h)) {
    throw new InputError(field, h, `expected a host of the topology: ${topology.hosts.join(', ')}`);
  }
  return h;
}

function checkFailover(f: string, m: Record<string, unknown>, topology: ResolvedTopology): void {
  const on = host(`${f}.host`, m.host, 'client', topology);
  const bond: ResolvedBond | undefined = topology.bonds.find((b) => b.host === on);
  if (bond === undefined) {
    const withBonds = topology.bonds.map((b) => b.host).join(', ') || 'none';
    throw new InputError(`${f}.host`, on, `expected a host with a bond: ${withBonds}`);
  }
  const peer = host(`${f}.peer`, m.peer, 'server', topology);
  if (peer === on) throw new InputError(`${f}.peer`, peer, `expected a host other than ${on}`);
  if (m.rate !== undefined) {
    expectInteger(`${f}.rate`, m.rate, PROBE_LIMITS.minRate, PROBE_LIMITS.maxRate, 'probes/s');
  }
  // The windows measureFailover accepts (harness/measure/failover.ts).
  if (m.beforeMs !== undefined) expectInteger(`${f}.beforeMs`, m.beforeMs, 100, 60_000, 'ms');
  if (m.faultMs !== undefined) expectInteger(`${f}.faultMs`, m.faultMs, 10, 600_000, 'ms');
  if (m.afterMs !== undefined) expectInteger(`${f}.afterMs`, m.afterMs, 0, 600_000, 'ms');
  checkFault(`${f}.fault`, m.fault, topology, bond);
}

function checkThroughput(f: string, m: Record<string, unknown>, topology: ResolvedTopology): void {
  const from = host(`${f}.from`, m.from, topology.bonds[0]?.host ?? 'client', topology);
  const to = host(`${f}.to`, m.to, 'server', topology);
  if (from === to) throw new InputError(`${f}.to`, to, `expected a host other than ${from}`);
  // The options measureThroughput accepts (harness/measure/throughput.ts).
  if (m.flows !== undefined) expectInteger(`${f}.flows`, m.flows, 1, 16);
  if (m.protocol !== undefined && m.protocol !== 'tcp' && m.protocol !== 'udp') {
    throw new InputError(`${f}.protocol`, m.protocol, 'expected "tcp" or "udp"');
  }
  if (m.durationS !== undefined) expectInteger(`${f}.durationS`, m.durationS, 1, 600, 's');
  if (m.omitS !== undefined) expectInteger(`${f}.omitS`, m.omitS, 0, 60, 's');
  if (m.slaveCounters !== undefined) expectBoolean(`${f}.slaveCounters`, m.slaveCounters);
}

/** Checks a case's expectations: known metrics of its measurements, an operator, a bound, a line. */
export function checkExpectations(
  field: string,
  value: unknown,
  measure: readonly MeasurementSpec[],
): void {
  if (value === undefined) return;
  const list = expectArray(`${field}.expect`, value);
  if (list.length > MAX_EXPECTATIONS) {
    throw new InputError(
      `${field}.expect`,
      `${list.length} expectations`,
      `expected at most ${MAX_EXPECTATIONS}`,
    );
  }
  const known = measure.flatMap((m) =>
    metricsOf(m.kind).map((metric) => `${measurementId(m)}.${metric.name}`),
  );
  list.forEach((raw, i) => {
    const f = `${field}.expect[${i}]`;
    const e = expectRecord(f, raw);
    expectKnownKeys(f, e, ['metric', 'op', 'value', 'says']);
    if (typeof e.metric !== 'string' || !known.includes(e.metric)) {
      throw new InputError(`${f}.metric`, e.metric, `expected one of ${known.join(', ')}`);
    }
    if (typeof e.op !== 'string' || !OPS.includes(e.op)) {
      throw new InputError(`${f}.op`, e.op, `expected one of ${OPS.join(' ')}`);
    }
    if (typeof e.value !== 'number' || !Number.isFinite(e.value)) {
      throw new InputError(`${f}.value`, e.value, 'expected a finite number');
    }
    if (typeof e.says !== 'string' || e.says.trim() === '' || /\p{Cc}/u.test(e.says)) {
      throw new InputError(`${f}.says`, e.says, 'expected one non-empty line of text');
    }
  });
}
