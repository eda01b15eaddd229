/**
 * The whole catalog, end to end, through the CLI: on this kernel where it has bonding, otherwise
 * inside User-mode Linux (`--kernel auto`). Every case must run (no errors) and meet its
 * expectations, except that a timing bound (an expectation on a metric in ms) missed is reported
 * but does not fail the test: a loaded CI machine stretches a guest's timers by hundreds of ms, and
 * timing is what `npm run bench:catalog` judges. The results must land in --out, labelled by the
 * kernel that ran them.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { hostHasBonding } from '../../harness/kernels/host.js';
import { readRunFile } from '../../harness/results/load.js';
import { cli, ensureBuilt, isolateState, leaks, snapshot } from '../fixtures/host.js';

isolateState(t);
ensureBuilt();
// The catalog takes minutes inside User-mode Linux; .taprc's 300 s is for ordinary files.
t.setTimeout(900_000);

void t.test('bondlab run: every catalog case runs and meets its expectations', async (t) => {
  const before = snapshot();
  const out = mkdtempSync(join(tmpdir(), 'bondlab-catalog-'));
  t.teardown(() => {
    rmSync(out, { recursive: true, force: true });
  });
  const res = await cli(t, ['run', '--reporter', 'json', '--verbose', '--out', out]);
  const kind = (await hostHasBonding()) ? 'host' : 'uml';
  t.match(res.stderr, new RegExp(`kernel: ${kind}`), `ran on ${kind}`);
  // --verbose reaches the guest: each case's phases are traced with the time since the start.
  t.match(res.stderr, /^\[\s*\d+\.\d{3}\] seed-failover: build$/m, 'the trace names phases');
  t.match(res.stderr, /^\[\s*\d+\.\d{3}\] topology: ready$/m, 'and the steps inside them');
  const folders = readdirSync(out);
  t.equal(folders.length, 1, 'one run folder');
  t.match(
    folders[0] ?? '',
    new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z-${kind}-`),
    'named by time and kernel',
  );
  const run = readRunFile(join(out, folders[0] ?? ''));
  t.equal(run.environment.kernel.kind, kind);
  t.equal(run.status, 'complete', 'the run says it completed');
  t.same(
    run.cases.map((c) => c.case),
    run.planned,
    'every planned case ran, in order',
  );
  t.comment(`${run.cases.length} cases in ${(run.durationMs / 1000).toFixed(0)} s`);
  for (const c of run.cases) {
    const unitOf = (metric: string): string | undefined =>
      c.metrics.find((m) => m.name === metric)?.unit;
    const missed = c.expectations.filter((e) => !e.pass);
    const timing = missed.filter((e) => e.measured !== undefined && unitOf(e.metric) === 'ms');
    const failed = missed.filter((e) => !timing.includes(e));
    const line = (e: (typeof missed)[number]): string =>
      `${e.says}: ${e.metric} ${e.measured} (bound ${e.op} ${e.value})`;
    for (const e of timing) t.comment(`timing bound missed on this machine, ${c.case}: ${line(e)}`);
    t.ok(c.status === 'passed' || (c.status === 'failed' && failed.length === 0), c.case, {
      status: c.status,
      error: c.error,
      failed: failed.map(line),
    });
  }
  t.equal(
    res.code,
    run.cases.every((c) => c.status === 'passed') ? 0 : 1,
    'the exit status says so',
  );
  t.same(leaks(before), { netns: [], links: [] });
});
