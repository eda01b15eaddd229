import { InputError } from '../errors.js';
import type { Shard } from './run-file.js';

/**
 * The most shards a selection may be split into. More than a job matrix would hold is a typo
 * (`1/1000` for `1/10`), and the catalog has a few dozen cases.
 */
export const MAX_SHARDS = 100;

/** `--shard i/n` → { index: i, count: n }, 1 <= i <= n <= MAX_SHARDS. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (m === null) {
    throw new InputError(
      '--shard',
      text,
      `expected i/n, this machine's slice i of n (whole numbers, 1 <= i <= n <= ${MAX_SHARDS}), e.g. 1/4`,
    );
  }
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) {
    throw new InputError('--shard', text, `expected n, the number of shards, from 1 to ${MAX_SHARDS}`);
  }
  if (index < 1 || index > count) {
    throw new InputError(
      '--shard',
      text,
      `expected i from 1 to ${count}: shards are numbered from 1 to n`,
    );
  }
  return { index, count };
}

/**
 * The cases of one shard: round robin over the planned order, the k-th case (from 0) to shard
 * k mod n + 1. It depends on the plan alone (scenario files in sorted order, each sweep in its
 * order), so every machine splits a selection the same way; every case lands in exactly one
 * shard; shard sizes differ by one at most; and a scenario's sweep spreads over the shards, so
 * one slow family does not make one slow shard. A shard past the last case is empty.
 */
export function shardCases<T>(cases: readonly T[], shard: Shard): T[] {
  return cases.filter((_, k) => k % shard.count === shard.index - 1);
}

/** `2/4`. */
export function shardText(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
