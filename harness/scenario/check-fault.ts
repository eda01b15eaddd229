import { InputError } from '../errors.js';
import { lacpduLoss } from '../faults/lacp.js';
import { switchPort } from '../faults/targets.js';
import { uplinkFailure } from '../faults/uplink.js';
import type { ResolvedBond, ResolvedTopology } from '../topology/resolve.js';
import { expectKnownKeys, expectRecord } from '../topology/validate.js';
import type { FaultSpec } from './types.js';

const KINDS: Readonly<Record<FaultSpec['kind'], readonly string[]>> = {
  'carrier-loss': ['host', 'slave'],
  'slave-down': ['host', 'slave'],
  'port-disabled': ['switch', 'port'],
  'uplink-failure': ['switch', 'port'],
  'lacpdu-loss': ['switch', 'port'],
  degrade: ['node', 'ifname', 'rateMbit', 'delayMs', 'jitterMs', 'lossPercent'],
};

/** degrade's bounds (harness/faults/degrade.ts), checked again here so a case fails at plan time. */
const DEGRADE: Readonly<Record<string, readonly [number, number, string]>> = {
  rateMbit: [0.01, 100_000, 'Mbit/s'],
  delayMs: [0, 10_000, 'ms'],
  jitterMs: [0, 10_000, 'ms'],
  lossPercent: [0, 100, '%'],
};

/**
 * Checks a failover's fault against the declared topology, as the fault factories will once it
 * is built: its kind, its fields, and that what it names exists (`bond` is the measured bond).
 */
export function checkFault(
  field: string,
  value: unknown,
  topology: ResolvedTopology,
  bond: ResolvedBond,
): void {
  const f = expectRecord(field, value);
  const kinds = Object.keys(KINDS);
  if (typeof f.kind !== 'string' || !kinds.includes(f.kind)) {
    throw new InputError(`${field}.kind`, f.kind, `expected one of ${kinds.join(', ')}`);
  }
  const kind = f.kind as FaultSpec['kind'];
  expectKnownKeys(field, f, ['kind', ...KINDS[kind]]);
  const text = (key: string): string => {
    if (typeof f[key] !== 'string')
      throw new InputError(`${field}.${key}`, f[key], 'expected a name');
    return f[key];
  };
  // The factories' own checks, on the declaration: their fields become this field's.
  const declared = { resolved: topology };
  const rename = (check: () => unknown): void => {
    try {
      check();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw new InputError(
        `${field}${error.field.replace(/^fault/, '')}`,
        error.value,
        error.allowed,
      );
    }
  };
  switch (kind) {
    case 'carrier-loss':
    case 'slave-down': {
      const host = f.host === undefined ? bond.host : text('host');
      if (!topology.hosts.includes(host))
        throw new InputError(
          `${field}.host`,
          host,
          `expected a host: ${topology.hosts.join(', ')}`,
        );
      if (f.slave === undefined) {
        if (host === bond.host) return; // the active slave, known once built
        throw new InputError(
          `${field}.slave`,
          f.slave,
          `expected which interface of ${host} fails (the default, the active slave, is ${bond.host}'s)`,
        );
      }
      // Carrier loss takes any link end; setting a slave down needs a bond's slave.
      const names =
        kind === 'slave-down'
          ? topology.bonds.filter((b) => b.host === host).flatMap((b) => b.slaves)
          : topology.links
              .flatMap((l) => [l.a, l.b])
              .filter((e) => e.node === host)
              .map((e) => e.ifname);
      if (typeof f.slave !== 'string' || !names.includes(f.slave))
        throw new InputError(
          `${field}.slave`,
          f.slave,
          `expected one of ${host}'s ${kind === 'slave-down' ? 'bond slaves' : 'link ends'}: ${names.join(', ') || 'none'}`,
        );
      return;
    }
    case 'port-disabled':
      rename(() => switchPort(declared, text('switch'), text('port')));
      return;
    case 'uplink-failure':
      rename(() => uplinkFailure(declared, text('switch'), text('port')));
      return;
    case 'lacpdu-loss':
      rename(() => lacpduLoss(declared, text('switch'), text('port')));
      return;
    case 'degrade':
      checkDegrade(field, f, topology, text('node'), text('ifname'));
  }
}

function checkDegrade(
  field: string,
  f: Record<string, unknown>,
  topology: ResolvedTopology,
  node: string,
  ifname: string,
): void {
  const ends = topology.links.flatMap((l) => [l.a, l.b]);
  if (!ends.some((e) => e.node === node && e.ifname === ifname)) {
    throw new InputError(
      `${field}.ifname`,
      `${node}:${ifname}`,
      `expected a link end: ${ends.map((e) => `${e.node}:${e.ifname}`).join(', ')}`,
    );
  }
  const given = Object.keys(DEGRADE).filter((k) => f[k] !== undefined);
  if (given.length === 0)
    throw new InputError(field, f, `expected at least one of ${Object.keys(DEGRADE).join(', ')}`);
  for (const key of given) {
    const [min, max, unit] = DEGRADE[key] as readonly [number, number, string];
    const v = f[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
      throw new InputError(`${field}.${key}`, v, `expected a number from ${min} to ${max} ${unit}`);
  }
  if (f.jitterMs !== undefined && f.delayMs === undefined)
    throw new InputError(`${field}.jitterMs`, f.jitterMs, 'jitter needs delayMs as well');
}
