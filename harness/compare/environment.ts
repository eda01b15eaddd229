import type { RunFile } from '../results/run-file.js';
import type { EnvironmentDifference } from './types.js';

type Severity = NonNullable<EnvironmentDifference['severity']>;

interface Check {
  field: string;
  read: (run: RunFile) => string | undefined;
  severity: Severity;
  why: string;
}

/**
 * What each fingerprint field means to a comparison. The kernel kind voids it: a UML guest's
 * timers tick every 10 ms and its links are virtual, so a failover in UML and one on a host differ
 * by the machine, not by the bonding driver. The release is what users compare: reported, never
 * refused. The rest can move the numbers on their own: warned.
 */
const CHECKS: readonly Check[] = [
  {
    field: 'kernel.kind',
    read: (r) => r.environment.kernel.kind,
    severity: 'voids',
    why: 'host, UML, QEMU and Vagrant time and switch packets differently: the numbers are not comparable',
  },
  {
    field: 'kernel.release',
    read: (r) => r.environment.kernel.release,
    severity: 'info',
    why: 'the kernel under test changed (usually the point of the comparison)',
  },
  {
    field: 'kernel.label',
    read: (r) => r.environment.kernel.label,
    severity: 'info',
    why: 'a different kernel was chosen',
  },
  {
    field: 'cpu.model',
    read: (r) => r.environment.cpu.model,
    severity: 'warning',
    why: 'a different CPU alone moves timings and throughput',
  },
  {
    field: 'cpu.count',
    read: (r) => String(r.environment.cpu.count),
    severity: 'warning',
    why: 'a different CPU count alone moves timings and throughput',
  },
  {
    field: 'versions.bondlab',
    read: (r) => r.environment.versions.bondlab,
    severity: 'warning',
    why: 'the harness changed: its measurements may have too',
  },
  {
    field: 'versions.node',
    read: (r) => r.environment.versions.node,
    severity: 'warning',
    why: "Node's timers and scheduling can move the timings",
  },
  {
    field: 'versions.iproute2',
    read: (r) => r.environment.versions.iproute2 ?? 'missing',
    severity: 'warning',
    why: 'a different ip/tc may set up links or shaping differently',
  },
  {
    field: 'versions.iperf3',
    read: (r) => r.environment.versions.iperf3 ?? 'missing',
    severity: 'warning',
    why: 'a different iperf3 may measure throughput differently',
  },
  {
    field: 'git.commit',
    read: (r) => r.environment.git?.commit ?? 'outside git',
    severity: 'info',
    why: 'the bondlab checkout differs (scenarios or harness may have changed)',
  },
  {
    field: 'hostname',
    read: (r) => r.environment.hostname,
    severity: 'info',
    why: 'the runs were made on different machines',
  },
  {
    field: 'repeat',
    read: (r) => String(r.repeat),
    severity: 'warning',
    why: 'different repetitions: the medians compare, but the test has different power on each',
  },
];

/**
 * How the two runs' environments differ, voiding differences first. A dirty tree and an unfinished
 * run are reported even when both runs share them: neither says exactly what ran.
 */
export function environmentDifferences(
  baseline: RunFile,
  candidate: RunFile,
): EnvironmentDifference[] {
  const out: EnvironmentDifference[] = [];
  for (const check of CHECKS) {
    const b = check.read(baseline) ?? '';
    const c = check.read(candidate) ?? '';
    if (b !== c) out.push(difference(check.field, b, c, check.severity, check.why));
  }
  const dirty = (r: RunFile): string => {
    if (r.environment.git === undefined) return 'outside git';
    return r.environment.git.dirty ? 'uncommitted changes' : 'clean';
  };
  if (baseline.environment.git?.dirty === true || candidate.environment.git?.dirty === true) {
    out.push(
      difference(
        'git.dirty',
        dirty(baseline),
        dirty(candidate),
        'warning',
        'a run made with uncommitted changes: its commit does not say what ran',
      ),
    );
  }
  if (baseline.status !== 'complete' || candidate.status !== 'complete') {
    out.push(
      difference(
        'status',
        baseline.status,
        candidate.status,
        'warning',
        'a run that did not complete: its missing cases are listed as in one run only',
      ),
    );
  }
  const rank: Record<Severity, number> = { voids: 0, warning: 1, info: 2 };
  return out.sort((a, b) => rank[a.severity ?? 'warning'] - rank[b.severity ?? 'warning']);
}

function difference(
  field: string,
  baseline: string,
  candidate: string,
  severity: Severity,
  why: string,
): EnvironmentDifference {
  return { field, baseline, candidate, voids: severity === 'voids', severity, why };
}
