import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { Batch } from '../exec/batch.js';
import type { RunOptions } from '../exec/run.js';

const NETNS_DIR = '/run/netns';

/** Names of the named network namespaces (`ip netns list`, without an exec). */
export function listNetns(): string[] {
  try {
    return readdirSync(NETNS_DIR).sort();
  } catch {
    return [];
  }
}

/**
 * Pids of the processes whose network namespace is one of `names`: what `ip netns pids` tells,
 * for many namespaces at once and without an exec per namespace.
 */
export function pidsInNetns(names: readonly string[]): Map<string, number[]> {
  const byInode = new Map<string, string>();
  for (const name of names) {
    try {
      byInode.set(`net:[${statSync(`${NETNS_DIR}/${name}`).ino}]`, name);
    } catch {
      // already gone
    }
  }
  const found = new Map<string, number[]>();
  if (byInode.size === 0) return found;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let link: string;
    try {
      link = readlinkSync(`/proc/${entry}/ns/net`);
    } catch {
      continue;
    }
    const name = byInode.get(link);
    if (name !== undefined) found.set(name, [...(found.get(name) ?? []), Number(entry)]);
  }
  return found;
}

/**
 * Kills every process inside the namespaces, then deletes them in one `ip -batch`. Deleting a
 * namespace destroys its links, bridges, bonds and qdiscs with it. Missing names are skipped.
 */
export async function deleteNetns(
  names: readonly string[],
  options: RunOptions = {},
): Promise<string[]> {
  const existing = new Set(listNetns());
  const targets = names.filter((n) => existing.has(n));
  if (targets.length === 0) return [];
  for (const pids of pidsInNetns(targets).values()) {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  }
  const batch = new Batch('ip');
  for (const name of targets) batch.add('netns', 'del', name);
  try {
    await batch.commit({ ...options, force: true });
  } catch (error) {
    // A concurrent `bondlab clean` may have deleted some first; only what is still there counts.
    const left = new Set(listNetns());
    if (targets.some((n) => left.has(n))) throw error;
  }
  return targets;
}
