import t from 'tap';
import { BondlabError } from '../../harness/errors.js';
import { Batch } from '../../harness/exec/batch.js';
import { run } from '../../harness/exec/run.js';
import { cleanDeadRuns } from '../../harness/lifecycle/clean.js';
import { listRecords, readRecord } from '../../harness/lifecycle/records.js';
import { RunContext, withRun } from '../../harness/lifecycle/run-context.js';
import { isolateState, leaks, netnsList, snapshot } from '../fixtures/host.js';

isolateState(t);

void t.test('teardown runs in reverse order when the body throws', async (t) => {
  const before = snapshot();
  const order: string[] = [];
  const existed: Record<string, boolean> = {};
  let ns = '';
  const failure = new Error('setup failed halfway');
  await t.rejects(
    withRun(async (r) => {
      ns = r.netns('h1');
      r.defer('first', () => {
        order.push('first');
        existed.first = netnsList().includes(ns);
      });
      r.deferNetns([ns]);
      await run(['ip', 'netns', 'add', ns], { signal: r.signal });
      r.defer('last', () => {
        order.push('last');
        existed.last = netnsList().includes(ns);
      });
      throw failure;
    }),
    failure,
    'the body’s own error comes out',
  );
  t.same(order, ['last', 'first']);
  t.same(existed, { last: true, first: false }, 'the namespace went between the two steps');
  t.same(leaks(before), { netns: [], links: [] });
});

void t.test('a teardown registered before a failing setup undoes what it made', async (t) => {
  const before = snapshot();
  await t.rejects(
    withRun(async (r) => {
      const names = [r.netns('a'), r.netns('b'), r.netns('c')];
      r.deferNetns(names);
      // Creates a and b, then fails: c never exists, and the teardown must cope with that.
      const b = new Batch('ip');
      b.add('netns', 'add', names[0] as string).add('netns', 'add', names[1] as string);
      b.add('link', 'set', 'nosuchdev', 'up').add('netns', 'add', names[2] as string);
      await b.commit({ signal: r.signal });
    }),
    { code: 'E_COMMAND_FAILED' },
  );
  t.same(leaks(before), { netns: [], links: [] });
});

void t.test('a run holds a record while it lives and releases it at close', async (t) => {
  const r = await RunContext.open();
  t.teardown(() => r.close());
  t.match(r.id, /^[a-z0-9]{5}$/);
  t.equal(r.netns('client'), `bl${r.id}-client`);
  const record = readRecord(r.id);
  t.match(record, { version: 1, id: r.id, pid: process.pid, processGroups: [], paths: [] });
  t.match(
    listRecords().find((x) => x.id === r.id),
    { alive: true },
  );
  r.trackPath('/tmp/bondlab-test-nothing-here');
  t.same(readRecord(r.id)?.paths, ['/tmp/bondlab-test-nothing-here'], 'tracked paths are saved');
  t.same(await r.close(), []);
  t.equal(readRecord(r.id), undefined, 'the record is gone');
  t.same(await r.close(), [], 'closing twice is harmless');
});

void t.test('two runs never share an id', async (t) => {
  const runs = await Promise.all(Array.from({ length: 8 }, () => RunContext.open()));
  t.teardown(() => Promise.all(runs.map((r) => r.close())));
  t.equal(new Set(runs.map((r) => r.id)).size, runs.length);
});

void t.test('an aborted run reports the abort reason, not the killed command', async (t) => {
  const reason = new BondlabError('E_INTERRUPTED', 'stopped by the test');
  await t.rejects(
    withRun(async (r) => {
      const pending = run(['sleep', '30'], { signal: r.signal });
      r.abort(reason);
      t.throws(() => {
        r.throwIfAborted();
      }, reason);
      await pending;
    }),
    reason,
  );
});

void t.test('a run past its deadline is aborted with E_COMMAND_TIMEOUT', async (t) => {
  let id = '';
  let error: unknown;
  try {
    await withRun(
      async (r) => {
        id = r.id;
        await run(['sleep', '30'], { signal: r.signal });
      },
      { timeoutMs: 50 },
    );
  } catch (e) {
    error = e;
  }
  t.ok(error instanceof BondlabError);
  t.match(error, { code: 'E_COMMAND_TIMEOUT', message: `run ${id} exceeded its 50 ms deadline` });
});

void t.test('a failed teardown keeps the record so clean can finish the job', async (t) => {
  const before = snapshot();
  const logged: string[] = [];
  const r = await RunContext.open({ log: (l) => logged.push(l) });
  const ns = r.netns('kept');
  t.teardown(() => run(['ip', 'netns', 'del', ns], { okExitCodes: [1] }));
  // Listed in the record (clean removes only the namespaces a record lists), its undo dropped.
  r.deferNetns([ns])();
  await run(['ip', 'netns', 'add', ns]);
  r.defer('fails', () => {
    throw new Error('undo failed');
  });
  const errors = await r.close();
  t.equal(errors.length, 1);
  t.match(
    logged,
    [
      /^teardown: undoing 1 step$/,
      /teardown "fails" failed: .*undo failed/,
      /^teardown: 1 step\(s\) failed in \d+ ms$/,
    ],
    'the teardown says what it undoes, what failed, and how it ended',
  );
  t.equal(readRecord(r.id)?.pid, 0, 'the record says its owner is gone');
  t.ok(netnsList().includes(ns), 'the namespace is still there');

  const report = await cleanDeadRuns();
  t.same(report.removedRuns, [r.id]);
  t.same(report.removedNetns, [ns]);
  t.equal(readRecord(r.id), undefined);
  t.same(leaks(before), { netns: [], links: [] });
});

void t.test('a body that succeeded still fails when its teardown left something', async (t) => {
  const before = snapshot();
  let id = '';
  let ns = '';
  await t.rejects(
    withRun(async (r) => {
      id = r.id;
      ns = r.netns('left');
      r.deferNetns([ns])();
      await run(['ip', 'netns', 'add', ns]);
      r.defer('fails', () => {
        throw new Error('undo failed');
      });
      return 'measured';
    }),
    {
      code: 'E_TEARDOWN',
      message: /teardown could not undo 1 step\(s\): undo failed/,
      hint: /bondlab clean/,
    },
    'the error names what failed and what to do',
  );
  t.equal(readRecord(id)?.pid, 0, 'the record is kept for clean');
  const report = await cleanDeadRuns();
  t.same(report.removedNetns, [ns], 'clean finishes it');
  t.same(leaks(before), { netns: [], links: [] });
});

void t.test('a teardown step whose command a signal killed is run once more', async (t) => {
  let tries = 0;
  const r = await RunContext.open();
  r.defer('killed once', async () => {
    tries++;
    if (tries === 1) await run(['sh', '-c', 'kill -INT $$']);
  });
  t.same(await r.close(), [], 'no error: the second try succeeded');
  t.equal(tries, 2);
  const other = await RunContext.open();
  let failures = 0;
  other.defer('fails', async () => {
    failures++;
    await run(['false']);
  });
  t.equal((await other.close()).length, 1, 'an ordinary failure is not retried');
  t.equal(failures, 1);
  await cleanDeadRuns();
});

void t.test('a process group or path can be untracked once it is gone', async (t) => {
  const r = await RunContext.open();
  t.teardown(() => r.close());
  const untrackGroup = r.trackProcessGroup(999_999);
  const untrackPath = r.trackPath('/tmp/bondlab-test-untracked');
  t.same(readRecord(r.id)?.processGroups, [999_999], 'the group is in the record');
  untrackGroup();
  untrackPath();
  untrackGroup();
  t.same(
    readRecord(r.id)?.processGroups,
    [],
    'and gone once untracked, so clean never kills a reused number',
  );
  t.same(readRecord(r.id)?.paths, [], 'the path too');
});
