import { cpus, hostname, release } from 'node:os';
import { run } from '../exec/run.js';
import { projectRoot } from '../project.js';
import { processStartTime } from '../lifecycle/process-identity.js';
import { version as bondlabVersion } from '../version.js';
import type { Fingerprint, Writer } from './run-file.js';

/**
 * What a guest cannot see of the machine it runs on: the host's CPU, name and checkout. The host
 * passes it in this variable as JSON; inside a guest, /proc/cpuinfo describes the guest.
 */
export const HOST_FACTS_ENV = 'BONDLAB_HOST_FACTS';

export interface HostFacts {
  cpu: Fingerprint['cpu'];
  hostname: string;
  git: Fingerprint['git'];
  /** The host's `bondlab` process (the run's writer, as readers see it); absent from old guests' facts. */
  process?: { pid: number; startTime: number } | undefined;
}

async function firstLineOf(argv: string[]): Promise<string | undefined> {
  try {
    const r = await run(argv, { timeoutMs: 10_000 });
    return r.stdout.split('\n')[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The commit a build outside git states it was made from (a container image's build argument). */
export const GIT_COMMIT_ENV = 'BONDLAB_GIT_COMMIT';

/** The checkout `dir` is in: its commit and whether tracked files changed, else the stated commit. */
export async function gitOf(dir: string): Promise<Fingerprint['git']> {
  const commit = await firstLineOf(['git', '-C', dir, 'rev-parse', 'HEAD']);
  if (commit === undefined) {
    const stated = process.env[GIT_COMMIT_ENV]?.trim().toLowerCase();
    return stated !== undefined && /^[0-9a-f]{7,64}$/.test(stated)
      ? { commit: stated, dirty: false, stated: true }
      : undefined;
  }
  // A status that cannot be read counts as dirty: the commit alone may not say what ran.
  const dirty = await run(['git', '-C', dir, 'status', '--porcelain', '--untracked-files=no'], {
    timeoutMs: 10_000,
  }).then(
    (r) => r.stdout.trim() !== '',
    () => true,
  );
  return { commit, dirty };
}

/** This machine's facts, for a guest to be told (see HOST_FACTS_ENV). */
export async function hostFacts(): Promise<HostFacts> {
  const all = cpus();
  const startTime = processStartTime(process.pid);
  return {
    cpu: { model: all[0]?.model.trim() ?? 'unknown', count: all.length },
    hostname: hostname(),
    git: await gitOf(projectRoot()),
    process: startTime === undefined ? undefined : { pid: process.pid, startTime },
  };
}

/** The host's facts: passed in by the host inside a guest, read here otherwise. */
async function factsHere(): Promise<HostFacts> {
  const passed = process.env[HOST_FACTS_ENV];
  return passed === undefined ? hostFacts() : (JSON.parse(passed) as HostFacts);
}

/**
 * The run's writer as readers must see it: the `bondlab` process on the host, whose death means
 * no one will finish the file, also when a guest kernel writes it.
 */
export function runWriter(): Writer | undefined {
  const passed = process.env[HOST_FACTS_ENV];
  if (passed !== undefined) {
    const facts = JSON.parse(passed) as HostFacts;
    return facts.process === undefined ? undefined : { hostname: facts.hostname, ...facts.process };
  }
  const startTime = processStartTime(process.pid);
  return startTime === undefined ? undefined : { hostname: hostname(), pid: process.pid, startTime };
}

function kindOf(label: string): Fingerprint['kernel']['kind'] {
  const kind = label.split(':')[0];
  return kind === 'uml' || kind === 'qemu' || kind === 'vagrant' ? kind : 'host';
}

/**
 * The environment of a run, taken where its scenarios run: the kernel and tools here, the
 * machine's CPU and checkout from the host when this is a guest.
 */
export async function fingerprint(kernelLabel: string): Promise<Fingerprint> {
  const facts = await factsHere();
  const [ip, iperf3] = await Promise.all([
    firstLineOf(['ip', '-V']),
    firstLineOf(['iperf3', '--version']),
  ]);
  return {
    kernel: { kind: kindOf(kernelLabel), label: kernelLabel, release: release() },
    cpu: facts.cpu,
    versions: {
      bondlab: bondlabVersion(),
      node: process.version,
      // "ip utility, iproute2-6.1.0, libbpf 1.1.0" → "6.1.0"; "iperf 3.12 (cJSON 1.7.15)" → "3.12".
      iproute2: ip === undefined ? undefined : (/iproute2-([\w.]+)/.exec(ip)?.[1] ?? ip),
      iperf3: iperf3 === undefined ? undefined : (/iperf ([\w.]+)/.exec(iperf3)?.[1] ?? iperf3),
    },
    git: facts.git,
    hostname: facts.hostname,
  };
}
