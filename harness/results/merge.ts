import { InputError } from '../errors.js';
import type { CaseResult } from '../scenario/result.js';
import {
  RUN_FILE_VERSION,
  type Fingerprint,
  type MergedPart,
  type RunFile,
  type RunStatus,
  type Shard,
} from './run-file.js';
import { shardCases, shardText } from './shard.js';
import { effectiveStatus, effectiveStopReason } from './status.js';

/** One shard run to merge, and where it was read (for messages). */
export interface MergePart {
  path: string;
  run: RunFile;
}

export interface MergeOutcome {
  run: RunFile;
  /** Differences that do not void the merge, and shards that are missing: for stderr. */
  warnings: string[];
}

const RANK: Record<RunStatus, number> = { complete: 0, running: 1, interrupted: 1, error: 2 };

type ShardedPart = MergePart & { shard: Shard; unsharded: string[] };

function sharded(part: MergePart): ShardedPart {
  const { shard, unsharded } = part.run.selection;
  if (shard === undefined || unsharded === undefined) {
    throw new InputError(
      `${part.path}: selection.shard`,
      undefined,
      part.run.mergedFrom === undefined
        ? 'expected a run made with `bondlab run --shard i/n`: merge recombines the shards of one selection'
        : 'expected a shard run, and this one is already merged',
    );
  }
  if (effectiveStatus(part.run) === 'running') {
    throw new InputError(
      `${part.path}: status`,
      'running',
      `expected a finished run: its writer (pid ${part.run.writer?.pid ?? '?'}) is still running; merge once it ends`,
    );
  }
  return { ...part, shard, unsharded };
}

/** Raises unless `key` of every part equals the first part's: they would not be one run. */
function same(parts: readonly ShardedPart[], field: string, key: (p: ShardedPart) => unknown): void {
  const [first, ...rest] = parts as [ShardedPart, ...ShardedPart[]];
  const want = JSON.stringify(key(first));
  for (const p of rest) {
    if (JSON.stringify(key(p)) !== want) {
      throw new InputError(
        `${p.path}: ${field}`,
        key(p),
        `expected ${want}, as in ${first.path}: shards of one run share their selection, kernel kind and shard count`,
      );
    }
  }
}

/** Environment fields whose difference voids a merge (unless forced), or only deserves a word. */
const VOIDING: [string, (f: Fingerprint) => unknown][] = [
  ['environment.kernel.label', (f) => f.kernel.label],
  ['environment.kernel.release', (f) => f.kernel.release],
  ['environment.versions.bondlab', (f) => f.versions.bondlab],
  ['environment.git.commit', (f) => f.git?.commit],
];
const NOTED: [string, (f: Fingerprint) => unknown][] = [
  ['environment.cpu', (f) => f.cpu],
  ['environment.hostname', (f) => f.hostname],
  ['environment.versions.node', (f) => f.versions.node],
  ['environment.versions.iproute2', (f) => f.versions.iproute2],
  ['environment.versions.iperf3', (f) => f.versions.iperf3],
  ['environment.git.dirty', (f) => f.git?.dirty],
];

/** Each shard's value (`{ "1/2": ..., "2/2": ... }`) when they are not all the same. */
function differing(
  parts: readonly ShardedPart[],
  key: (f: Fingerprint) => unknown,
): Record<string, unknown> | undefined {
  const values = parts.map((p) => key(p.run.environment) ?? null);
  if (new Set(values.map((v) => JSON.stringify(v))).size === 1) return undefined;
  return Object.fromEntries(parts.map((p, i) => [shardText(p.shard), values[i]]));
}

/**
 * Recombines the shard runs of one selection into one run: every case in the selection's planned
 * order, `mergedFrom` naming the parts, the worst status of the parts (`interrupted` when shards
 * are missing: their cases never ran, and stopReason names them), the earliest start, the latest
 * finish, and as duration the longest part's (the wall time of shards run side by side).
 *
 * Refuses (InputError) parts that are not one run's shards: a part without a shard, a different
 * selection (patterns, modes, repeat, the whole plan), shard count or kernel kind, a shard given
 * twice, a part still running. A different kernel label or release, bondlab version or commit
 * is refused unless `force`: the cases would not have measured the same thing. Other
 * differences (CPU, host name, tool versions, a dirty checkout) are warnings: CI runners of one
 * job matrix differ in them, and each part's environment is kept in `mergedFrom`.
 */
export function mergeRuns(parts: readonly MergePart[], options: { force: boolean }): MergeOutcome {
  if (parts.length === 0) throw new InputError('runs', [], 'expected at least one shard run to merge');
  const all = parts.map(sharded).sort((a, b) => a.shard.index - b.shard.index);
  same(all, 'selection.shard.count', (p) => p.shard.count);
  same(all, 'selection.patterns', (p) => p.run.selection.patterns);
  same(all, 'selection.modes', (p) => p.run.selection.modes ?? 'all');
  same(all, 'repeat', (p) => p.run.repeat);
  same(all, 'selection.unsharded', (p) => p.unsharded);
  same(all, 'environment.kernel.kind', (p) => p.run.environment.kernel.kind);
  for (const [i, p] of all.entries()) {
    const twin = all.slice(0, i).find((q) => q.shard.index === p.shard.index);
    if (twin !== undefined) {
      throw new InputError(
        `${p.path}: selection.shard`,
        shardText(p.shard),
        `expected each shard once; ${twin.path} is shard ${shardText(twin.shard)} too`,
      );
    }
  }
  const warnings: string[] = [];
  for (const [field, key] of VOIDING) {
    const diff = differing(all, key);
    if (diff === undefined) continue;
    if (!options.force) {
      throw new InputError(
        field,
        diff,
        'expected the same in every shard: the cases would not have measured the same thing (--force merges them anyway)',
      );
    }
    warnings.push(`${field} differs (merged with --force): ${JSON.stringify(diff)}`);
  }
  for (const [field, key] of NOTED) {
    const diff = differing(all, key);
    if (diff !== undefined) warnings.push(`${field} differs between shards: ${JSON.stringify(diff)}`);
  }

  const first = all[0] as ShardedPart;
  const plan = first.unsharded;
  const byName = new Map<string, CaseResult>();
  for (const p of all) {
    const slice = new Set(shardCases(plan, p.shard));
    for (const c of p.run.cases) {
      if (!slice.has(c.case)) {
        throw new InputError(
          `${p.path}: cases`,
          c.case,
          `expected only the cases of shard ${shardText(p.shard)} of its selection`,
        );
      }
      byName.set(c.case, c);
    }
  }
  const cases = plan.flatMap((name) => byName.get(name) ?? []);

  const reasons: string[] = [];
  let status: RunStatus = 'complete';
  for (const p of all) {
    const s = effectiveStatus(p.run);
    if (RANK[s] > RANK[status]) status = s;
    const why = effectiveStopReason(p.run);
    if (s !== 'complete') reasons.push(`shard ${shardText(p.shard)} ${s}: ${why ?? 'no reason given'}`);
  }
  const present = new Set(all.map((p) => p.shard.index));
  const missing: Shard[] = [];
  for (let index = 1; index <= first.shard.count; index++) {
    if (!present.has(index)) missing.push({ index, count: first.shard.count });
  }
  if (missing.length > 0) {
    const lost = missing.flatMap((s) => shardCases(plan, s));
    const text = `shard${missing.length > 1 ? 's' : ''} ${missing.map(shardText).join(', ')} not merged: ${lost.length} case${lost.length === 1 ? '' : 's'} never ran${lost.length > 0 ? ` (${lost.join(', ')})` : ''}`;
    warnings.push(text);
    reasons.push(text);
    if (RANK[status] < RANK.interrupted) status = 'interrupted';
  }

  const mergedFrom: MergedPart[] = all.map((p) => ({
    label: p.run.label,
    startedAt: p.run.startedAt,
    shard: p.shard,
    status: effectiveStatus(p.run),
    stopReason: effectiveStopReason(p.run),
    environment: p.run.environment,
  }));
  const run: RunFile = {
    version: RUN_FILE_VERSION,
    label: first.run.label,
    status,
    stopReason: reasons.length === 0 ? undefined : reasons.join('; '),
    startedAt: all.map((p) => p.run.startedAt).sort()[0] ?? first.run.startedAt,
    finishedAt: all.map((p) => p.run.finishedAt).sort().at(-1) ?? first.run.finishedAt,
    durationMs: Math.max(...all.map((p) => p.run.durationMs)),
    repeat: first.run.repeat,
    selection: {
      patterns: first.run.selection.patterns,
      modes: first.run.selection.modes,
      shard: undefined,
    },
    planned: plan,
    environment: first.run.environment,
    mergedFrom,
    cases,
  };
  return { run, warnings };
}
