/**
 * `bondlab run --shard i/n` through the CLI: bad values exit 2 and create nothing; `--list` shows
 * each shard's cases without running anything, split in another process as in this one (the
 * partition itself, for n = 1..5, is test/results/shard.test.ts); a shard
 * records itself in run.json, and a shard with no case is an empty, complete run (on the host
 * kernel: it needs no bond), one with a case runs it where the bonding driver is (`auto`).
 * `--kernel host` on a kernel without bonding is refused before anything is recorded.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { hostHasBonding } from '../../harness/kernels/host.js';
import { readRunFile } from '../../harness/results/load.js';
import { shardCases } from '../../harness/results/shard.js';
import { loadCatalog } from '../../harness/scenario/catalog.js';
import { planCases } from '../../harness/scenario/plan.js';
import {
  cli,
  ensureBuilt,
  isolateState,
  leaks,
  snapshot,
  type Teardowns,
} from '../fixtures/host.js';

ensureBuilt();
isolateState(t);

function tempDir(t: Teardowns): string {
  const dir = mkdtempSync(join(tmpdir(), 'bondlab-shard-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

void t.test('bad --shard values: exit 2, a clear message, nothing created', async (t) => {
  const out = join(tempDir(t), 'out');
  const cases: [string, RegExp][] = [
    ['0/2', /--shard: "0\/2" is not allowed; expected i from 1 to 2/],
    ['3/2', /--shard: "3\/2" is not allowed; expected i from 1 to 2/],
    ['a/b', /--shard: "a\/b" is not allowed; expected i\/n/],
    ['1/0', /--shard: "1\/0" is not allowed; expected n, the number of shards, from 1 to 100/],
    [
      '1/1000',
      /--shard: "1\/1000" is not allowed; expected n, the number of shards, from 1 to 100/,
    ],
  ];
  for (const [value, message] of cases) {
    const res = await cli(t, ['run', 'seed-failover', '--shard', value, '--out', out]);
    t.equal(res.code, 2, `${value}: exit 2`);
    t.match(res.stderr, message, `${value}: says what is allowed`);
    t.notOk(existsSync(out), `${value}: no output folder`);
  }
});

void t.test('--list: the shards partition the selection, as this process splits it', async (t) => {
  const all = await cli(t, ['run', '--list']);
  t.equal(all.code, 0, 'exit 0', { stderr: all.stderr });
  const plan = all.stdout.trim().split('\n');
  t.same(
    plan,
    planCases(await loadCatalog()).map((c) => c.name),
    'the whole plan, in order',
  );
  const n = 3;
  const shards: string[][] = [];
  for (let i = 1; i <= n; i++) {
    const res = await cli(t, ['run', '--list', '--shard', `${i}/${n}`]);
    t.equal(res.code, 0, `${i}/${n}: exit 0`, { stderr: res.stderr });
    t.match(res.stderr, `shard ${i}/${n}: `, 'says which shard');
    const listed = res.stdout.trim() === '' ? [] : res.stdout.trim().split('\n');
    t.same(listed, shardCases(plan, { index: i, count: n }), `${i}/${n}: as shardCases says`);
    shards.push(listed);
  }
  const union = shards.flat();
  t.equal(union.length, plan.length, 'disjoint');
  t.same([...union].sort(), [...plan].sort(), 'the union is the plan');
});

void t.test('a shard records itself; an empty shard is an empty, complete run', async (t) => {
  const before = snapshot();
  const out = tempDir(t);
  const empty = await cli(t, [
    'run',
    'seed-failover',
    '--shard',
    '2/2',
    '--kernel',
    'host',
    '--out',
    join(out, 'empty'),
  ]);
  t.equal(empty.code, 0, 'exit 0: nothing failed', { stderr: empty.stderr });
  t.match(empty.stderr, 'shard 2/2: 0 of 1 case (an empty run is recorded');
  const [emptyFolder] = readdirSync(join(out, 'empty'));
  const emptyRun = readRunFile(join(out, 'empty', emptyFolder ?? ''));
  t.equal(emptyRun.status, 'complete');
  t.same(emptyRun.planned, []);
  t.same(emptyRun.cases, []);
  t.same(emptyRun.selection, {
    patterns: ['seed-failover'],
    shard: { index: 2, count: 2 },
    unsharded: ['seed-failover'],
  });

  const one = await cli(t, [
    'run',
    'seed-failover',
    'seed-failback',
    '--shard',
    '1/2',
    '--out',
    join(out, 'one'),
  ]);
  t.ok(one.code === 0 || one.code === 1, 'the shard ran', { stderr: one.stderr });
  const [oneFolder] = readdirSync(join(out, 'one'));
  const oneRun = readRunFile(join(out, 'one', oneFolder ?? ''));
  t.same(oneRun.selection.shard, { index: 1, count: 2 }, 'selection.shard');
  t.same(oneRun.selection.unsharded, ['seed-failback', 'seed-failover'], 'the whole plan');
  t.same(oneRun.planned, ['seed-failback'], 'its own slice');
  t.same(
    oneRun.cases.map((c) => c.case),
    ['seed-failback'],
    'ran its slice only',
  );
  t.same(leaks(before), { netns: [], links: [] });
});

void t.test(
  '--kernel host without the bonding driver: exit 2 before a run is recorded',
  { skip: (await hostHasBonding()) ? 'this kernel has bonding' : false },
  async (t) => {
    const before = snapshot();
    const out = join(tempDir(t), 'out');
    const res = await cli(t, ['run', 'seed-failover', '--kernel', 'host', '--out', out]);
    t.equal(res.code, 2, 'exit 2: a missing prerequisite', { stderr: res.stderr });
    t.match(
      res.stderr,
      /this kernel has no bonding driver, and 1 of 1 selected case builds a bond/,
      'says so once',
    );
    t.match(res.stderr, /hint: load it \(`modprobe bonding`\), or leave --kernel at auto/);
    t.notOk(existsSync(out), 'no run recorded');
    t.same(leaks(before), { netns: [], links: [] });
  },
);
