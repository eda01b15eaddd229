import type { RunFile } from '../results/run-file.js';
import type { CaseResult, CaseStatus, MetricResult } from '../scenario/result.js';

/** About three significant figures, never an exponent: `0.13`, `52.1`, `210`, `1520`. */
export function formatNumber(x: number): string {
  const a = Math.abs(x);
  if (a >= 100 || Number.isInteger(x)) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return Number(x.toPrecision(2)).toString();
}

/** `52.1 ms`, `100%`, `3`. */
export function quantity(x: number, unit: string): string {
  const n = formatNumber(x);
  return unit === '' || unit === '%' ? `${n}${unit}` : `${n} ${unit}`;
}

/** `52.1 ms` for one sample (or all alike), `52.1 ms [50.2–54]` for several; `no samples`. */
export function medianRange(m: MetricResult): string {
  const s = m.summary;
  if (s === undefined) return 'no samples';
  const median = quantity(s.median, m.unit);
  return s.min === s.max ? median : `${median} [${formatNumber(s.min)}–${formatNumber(s.max)}]`;
}

/** `850 ms`, `50.0 s`, `3 min 40 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** `1 case`, `2 cases`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/**
 * The metrics a one-line view shows: those an expectation bounds, then each measurement's
 * headline (a failover's outage and detection, a throughput's rate), in the case's order.
 */
export function keyMetrics(c: CaseResult): MetricResult[] {
  const kinds = new Map((c.repetitions[0] ?? []).map((m) => [m.id, m.kind]));
  const headline = (name: string): boolean => {
    const dot = name.lastIndexOf('.');
    const kind = kinds.get(name.slice(0, dot));
    const metric = name.slice(dot + 1);
    return kind === 'failover'
      ? metric === 'outage' || metric === 'detection'
      : kind === 'throughput' && metric === 'mbit';
  };
  const bounded = new Set(c.expectations.map((e) => e.metric));
  return c.metrics.filter((m) => bounded.has(m.name) || headline(m.name));
}

/** How many cases ended each way. */
export function statusCounts(cases: readonly CaseResult[]): Record<CaseStatus, number> {
  const counts: Record<CaseStatus, number> = { passed: 0, failed: 0, error: 0, interrupted: 0 };
  for (const c of cases) counts[c.status]++;
  return counts;
}

/** `1 passed, 2 failed, 1 error`: the zero counts of error and interrupted are left out. */
export function tally(cases: readonly CaseResult[]): string {
  const n = statusCounts(cases);
  const parts = [`${n.passed} passed`, `${n.failed} failed`];
  if (n.error > 0) parts.push(plural(n.error, 'error'));
  if (n.interrupted > 0) parts.push(`${n.interrupted} interrupted`);
  return parts.join(', ');
}

/** The kernel as a person names it: `uml 6.1.176`, `qemu:6.1.0-53-amd64 (6.1.0-53-amd64)`. */
export function kernelName(run: RunFile): string {
  const k = run.environment.kernel;
  return k.label.endsWith(k.release) ? k.label : `${k.label} ${k.release}`;
}

/** The environment as short `name value` pairs, in a fixed order. */
export function environmentPairs(run: RunFile): [string, string][] {
  const e = run.environment;
  const git =
    e.git === undefined
      ? 'not a git checkout'
      : `${e.git.commit.slice(0, 12)}${e.git.dirty ? ' (dirty)' : ''}`;
  return [
    ['kernel', `${e.kernel.kind}, ${e.kernel.label}, release ${e.kernel.release}`],
    ['cpu', `${e.cpu.model} × ${e.cpu.count}`],
    ['bondlab', `${e.versions.bondlab} at ${git}`],
    ['node', e.versions.node],
    ['iproute2', e.versions.iproute2 ?? 'missing'],
    ['iperf3', e.versions.iperf3 ?? 'missing'],
    ['host', e.hostname],
  ];
}

/** What the run covered: `modes --mode 1, shard 2/4, 3 repetitions each`. */
export function selectionText(run: RunFile): string {
  const s = run.selection;
  const parts = [s.patterns.length === 0 ? 'every scenario' : s.patterns.join(' ')];
  if (s.modes !== undefined)
    parts.push(`${s.modes.length === 1 ? 'mode' : 'modes'} ${s.modes.join(',')}`);
  if (s.shard !== undefined) parts.push(`shard ${s.shard.index}/${s.shard.count}`);
  parts.push(`${plural(run.repeat, 'repetition')} each`);
  return parts.join(', ');
}

/**
 * What a `running` run.json means to whoever reads a report of it. The report says what the file
 * says (whether its writer still lives is for `bondlab` to judge, not for a file that must read
 * the same tomorrow).
 */
export function runningNote(run: RunFile): string | undefined {
  if (run.status !== 'running') return undefined;
  return `run.json said running when this was written: the run was still going, or was killed before it finished (${run.cases.length} of ${run.planned.length} planned cases recorded).`;
}
