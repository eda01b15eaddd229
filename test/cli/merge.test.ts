/**
 * `bondlab merge` on real shard runs: `seed-failover seed-failback` split in two and run in
 * User-mode Linux, one case each, merged back into one run with both cases in planned order. Then
 * the refusals, each exit 2 with nothing written: the same shard twice, another selection, another
 * shard count (real host runs of empty shards), and, as copies of a real shard with one field
 * changed, another kernel kind (`--kernel host` refuses a case with a bond on this kernel before
 * recording a run), a run that is no shard, a part still running, another kernel release (this
 * machine has one UML kernel) unless --force. A missing shard is a warning, and the merged run names the cases that never ran.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { processStartTime } from '../../harness/lifecycle/process-identity.js';
import { readRunFile } from '../../harness/results/load.js';
import type { RunFile } from '../../harness/results/run-file.js';
import { cli, ensureBuilt, isolateState, leaks, snapshot } from '../fixtures/host.js';

ensureBuilt();
isolateState(t);
t.setTimeout(500_000);

const SELECTION = ['seed-failover', 'seed-failback'];

void t.test('merge: shards of a real run back into one, and what it refuses', async (t) => {
  const before = snapshot();
  const work = mkdtempSync(join(tmpdir(), 'bondlab-merge-'));
  t.teardown(() => {
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs `bondlab run ...` into work/<name>; resolves with the run folder. */
  const runInto = async (name: string, args: string[]): Promise<string> => {
    const res = await cli(t, ['run', ...args, '--out', join(work, name)]);
    t.ok(res.code === 0 || res.code === 1, `${name}: ran (exit ${res.code})`, {
      stderr: res.stderr,
    });
    const [folder] = readdirSync(join(work, name)).filter((n) => /^\d{4}-/.test(n));
    return join(work, name, folder ?? 'missing');
  };
  const shard1 = await runInto('s1', [...SELECTION, '--shard', '1/2', '--kernel', 'uml']);
  const shard2 = await runInto('s2', [...SELECTION, '--shard', '2/2', '--kernel', 'uml']);
  const one = readRunFile(shard1);
  const two = readRunFile(shard2);
  t.same(one.planned, ['seed-failback'], 'shard 1/2 ran the first case of the plan');
  t.same(two.planned, ['seed-failover'], 'shard 2/2 the second');

  await t.test('both shards: one run, cases in planned order', async (t) => {
    const out = join(work, 'merged');
    const res = await cli(t, ['merge', shard2, shard1, '--out', out]);
    t.equal(res.code, 0, 'exit 0', { stderr: res.stderr });
    const folder = res.stdout.trim();
    t.match(
      folder,
      new RegExp(`^${out}/\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z-uml-`),
      'a run folder in --out',
    );
    t.match(res.stderr, 'merged 2 shards: 2 of 2 cases');
    const merged = readRunFile(folder);
    t.same(merged.planned, ['seed-failback', 'seed-failover'], 'the whole plan');
    t.same(
      merged.cases.map((c) => c.case),
      merged.planned,
      'every case, in planned order',
    );
    t.same(merged.cases[0], one.cases[0], 'the cases as the shards recorded them');
    t.same(merged.cases[1], two.cases[0]);
    t.equal(merged.selection.shard, undefined, 'no longer a shard');
    t.same(merged.selection.patterns, SELECTION);
    t.same(
      merged.mergedFrom?.map((p) => p.shard),
      [
        { index: 1, count: 2 },
        { index: 2, count: 2 },
      ],
      'mergedFrom lists the parts in shard order',
    );
    t.same(merged.mergedFrom?.[1]?.environment, two.environment, 'with their environments');
    t.equal(merged.status, 'complete', 'both parts complete');
    t.equal(merged.durationMs, Math.max(one.durationMs, two.durationMs), 'the longest part');
    t.equal(merged.startedAt, [one.startedAt, two.startedAt].sort()[0], 'the earliest start');
    t.equal(merged.writer, undefined, 'no writer: it is finished');
  });

  await t.test('a missing shard: a warning, and the cases that never ran are named', async (t) => {
    const res = await cli(t, ['merge', shard1, '--out', join(work, 'partial')]);
    t.equal(res.code, 0, 'exit 0', { stderr: res.stderr });
    t.match(res.stderr, /warning: shard 2\/2 not merged: 1 case never ran \(seed-failover\)/);
    const merged = readRunFile(res.stdout.trim());
    t.equal(merged.status, 'interrupted', 'not every planned case ran');
    t.match(merged.stopReason, /shard 2\/2 not merged: 1 case never ran \(seed-failover\)/);
    t.same(merged.planned, ['seed-failback', 'seed-failover']);
    t.same(
      merged.cases.map((c) => c.case),
      ['seed-failback'],
    );
  });

  // Real runs on the host kernel that do not belong with the two shards above.
  const otherSelection = await runInto('sel', [
    'seed-failover',
    '--shard',
    '2/2',
    '--kernel',
    'host',
  ]);
  const otherCount = await runInto('count', [...SELECTION, '--shard', '3/3', '--kernel', 'host']);

  /** A copy of shard 2/2 changed by `change`, in its own folder. */
  const copyOfShard2 = (name: string, change: (run: RunFile) => void): string => {
    const run = JSON.parse(readFileSync(join(shard2, 'run.json'), 'utf8')) as RunFile;
    change(run);
    const dir = join(work, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
    return dir;
  };
  // Copies, since `--kernel host` refuses a case with a bond on this kernel before recording a run.
  const otherKind = copyOfShard2('kind', (run) => {
    run.environment.kernel.kind = 'host';
  });
  const unsharded = copyOfShard2('whole', (run) => {
    run.selection.shard = undefined;
    run.selection.unsharded = undefined;
  });
  const otherRelease = copyOfShard2('release', (run) => {
    run.environment.kernel.release = '6.1.999';
  });
  const stillRunning = copyOfShard2('running', (run) => {
    run.status = 'running';
    run.writer = {
      hostname: run.environment.hostname,
      pid: process.pid,
      startTime: processStartTime(process.pid) ?? 0,
    };
  });

  const refusals: [string, string[], RegExp][] = [
    [
      'the same shard twice',
      [shard1, shard1],
      /selection\.shard: "1\/2" is not allowed; expected each shard once/,
    ],
    [
      'another selection',
      [shard1, otherSelection],
      /selection\.patterns: \["seed-failover"\] is not allowed; expected \["seed-failover","seed-failback"\]/,
    ],
    [
      'another shard count',
      [shard1, otherCount],
      /selection\.shard\.count: 3 is not allowed; expected 2/,
    ],
    [
      'another kernel kind',
      [shard1, otherKind],
      /environment\.kernel\.kind: "host" is not allowed; expected "uml"/,
    ],
    [
      'a run that is no shard',
      [shard1, unsharded],
      /selection\.shard: undefined is not allowed; expected a run made with `bondlab run --shard i\/n`/,
    ],
    [
      'a part still running',
      [shard1, stillRunning],
      /status: "running" is not allowed; expected a finished run: its writer \(pid \d+\) is still running/,
    ],
    [
      'another kernel release',
      [shard1, otherRelease],
      /environment\.kernel\.release: \{"1\/2":"[^"]+","2\/2":"6\.1\.999"\} is not allowed; expected the same in every shard.*--force/,
    ],
    ['a folder with no run', [shard1, work], /run\.json/],
    ['nothing', [], /expected the run folders of the shards to merge/],
  ];
  for (const [what, parts, message] of refusals) {
    const out = join(work, `refused-${what.replace(/\W+/g, '-')}`);
    const res = await cli(t, ['merge', ...parts, '--out', out]);
    t.equal(res.code, 2, `${what}: exit 2`, { stderr: res.stderr });
    t.match(res.stderr, message, `${what}: says why`);
    t.notOk(existsSync(out), `${what}: nothing written`);
  }

  await t.test('--force merges another kernel release, and warns', async (t) => {
    const res = await cli(t, [
      'merge',
      shard1,
      otherRelease,
      '--force',
      '--out',
      join(work, 'forced'),
    ]);
    t.equal(res.code, 0, 'exit 0', { stderr: res.stderr });
    t.match(res.stderr, /warning: environment\.kernel\.release differs \(merged with --force\)/);
    const merged = readRunFile(res.stdout.trim());
    t.equal(merged.cases.length, 2);
    t.equal(
      merged.mergedFrom?.[1]?.environment?.kernel.release,
      '6.1.999',
      'each part keeps its own',
    );
  });

  await t.test('a part whose writer is gone counts as interrupted', async (t) => {
    const dead = copyOfShard2('dead', (run) => {
      run.status = 'running';
      // pid 1 never started at tick 1: a writer that is gone.
      run.writer = { hostname: run.environment.hostname, pid: 1, startTime: 1 };
    });
    const res = await cli(t, ['merge', shard1, dead, '--out', join(work, 'dead-merged')]);
    t.equal(res.code, 0, 'exit 0', { stderr: res.stderr });
    const merged = readRunFile(res.stdout.trim());
    t.equal(merged.status, 'interrupted');
    t.equal(merged.mergedFrom?.[1]?.status, 'interrupted');
    t.match(
      merged.stopReason,
      /shard 2\/2 interrupted: run\.json still says running, but its writer \(pid 1 on/,
    );
  });

  t.same(leaks(before), { netns: [], links: [] });
});
