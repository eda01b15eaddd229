import { readFileSync } from 'node:fs';
import { EnvironmentError } from '../errors.js';

const CAP_NET_ADMIN = 12;
const CAP_SYS_ADMIN = 21;

function effectiveCaps(): bigint {
  const status = readFileSync('/proc/self/status', 'utf8');
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m === null ? 0n : BigInt(`0x${m[1] ?? '0'}`);
}

/** Whether this process may create namespaces and links (CAP_NET_ADMIN and CAP_SYS_ADMIN). */
export function hasNetworkPrivileges(): boolean {
  const caps = effectiveCaps();
  return (
    ((caps >> BigInt(CAP_NET_ADMIN)) & 1n) === 1n && ((caps >> BigInt(CAP_SYS_ADMIN)) & 1n) === 1n
  );
}

/** Raises a clear error when not privileged enough to build topologies. */
export function requireRoot(command: string): void {
  if (!hasNetworkPrivileges()) {
    throw new EnvironmentError(
      `bondlab ${command} needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces`,
      {
        hint: `run it as root: sudo npx bondlab ${command}; in a container, use docker run --privileged`,
      },
    );
  }
}
