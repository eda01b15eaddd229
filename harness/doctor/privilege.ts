import { readFileSync } from 'node:fs';
import { EnvironmentError } from '../errors.js';

const CAP_NET_ADMIN = 12;
const CAP_SYS_ADMIN = 21;
const NEEDED = [
  ['CAP_NET_ADMIN', CAP_NET_ADMIN],
  ['CAP_SYS_ADMIN', CAP_SYS_ADMIN],
] as const;

function effectiveCaps(): bigint {
  const status = readFileSync('/proc/self/status', 'utf8');
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m === null ? 0n : BigInt(`0x${m[1] ?? '0'}`);
}

/** The capabilities bondlab needs that this process lacks (none when it may build topologies). */
export function missingCapabilities(): string[] {
  const caps = effectiveCaps();
  return NEEDED.filter(([, bit]) => ((caps >> BigInt(bit)) & 1n) === 0n).map(([name]) => name);
}

/** Whether this process may create namespaces and links (CAP_NET_ADMIN and CAP_SYS_ADMIN). */
export function hasNetworkPrivileges(): boolean {
  return missingCapabilities().length === 0;
}

/**
 * Raises a clear error when not privileged enough: which command, what it needs root for, what
 * this process lacks, and how to run it. `why` completes "bondlab <command> needs root ...".
 */
export function requireRoot(command: string, why = 'to create network namespaces'): void {
  const missing = missingCapabilities();
  if (missing.length === 0) return;
  const uid = process.getuid?.();
  // Root without the capabilities is an unprivileged container: sudo would not help there.
  const who =
    uid === 0
      ? `this process is root but lacks ${missing.join(' and ')} (an unprivileged container?)`
      : `this process runs as uid ${uid ?? '?'} without ${missing.join(' and ')}`;
  throw new EnvironmentError(`bondlab ${command} needs root ${why}: ${who}; nothing was created`, {
    hint:
      uid === 0
        ? 'run it in a container started with --privileged (or --cap-add NET_ADMIN --cap-add SYS_ADMIN)'
        : `run it as root: sudo npx bondlab ${command} ...; in a container, use docker run --privileged`,
  });
}
