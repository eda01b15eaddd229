import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import t from 'tap';
import tmp from 'tmp';
import { run } from '../../harness/exec/run.js';
import { cleanDeadRuns } from '../../harness/lifecycle/clean.js';
import { netnsName } from '../../harness/lifecycle/names.js';
import { claimRecord, readRecord, type RunRecord } from '../../harness/lifecycle/records.js';
import { RunContext } from '../../harness/lifecycle/run-context.js';
import { isolateState, leaks, netnsList, snapshot, type Teardowns } from '../fixtures/host.js';

isolateState(t);

/** A record whose owner is gone: our own pid with a start time it never had (a recycled pid). */
function deadRecord(id: string, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    version: 1,
    id,
    pid: process.pid,
    startTime: 1,
    startedAt: new Date().toISOString(),
    argv: ['bondlab', 'up'],
    processGroups: [],
    paths: [],
    ...extra,
  };
}

async function addNetns(t: Teardowns, name: string): Promise<void> {
  await run(['ip', 'netns', 'add', name]);
  t.teardown(() => run(['ip', 'netns', 'del', name], { okExitCodes: [1] }));
}

void t.test('clean removes a dead run and leaves a live run and strangers alone', async (t) => {
  const before = snapshot();
  // Opened first: opening a run cleans dead runs, which is the next test's subject.
  // A live run (this process) with a namespace, and a namespace named like ours without a record.
  const live = await RunContext.open();
  t.teardown(() => live.close());
  const liveNetns = live.netns('h1');
  live.deferNetns([liveNetns]);
  await run(['ip', 'netns', 'add', liveNetns]);
  const stranger = 'blzzzzz-h1';
  await addNetns(t, stranger);

  // A dead run: two namespaces, a guest-like process group, and a temp folder.
  const guest = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  t.teardown(() => {
    guest.kill('SIGKILL');
  });
  await once(guest, 'spawn');
  const guestExit = once(guest, 'exit');
  const path = tmp.tmpNameSync({ prefix: 'bondlab-dead-run-' });
  mkdirSync(path);
  const dead = 'dead1';
  const deadNetns = [netnsName(dead, 'client'), netnsName(dead, 'sw')];
  for (const ns of deadNetns) await addNetns(t, ns);
  claimRecord(deadRecord(dead, { processGroups: [guest.pid as number], paths: [path] }));

  const report = await cleanDeadRuns();
  t.same(report.removedRuns, [dead]);
  t.same(report.removedNetns.sort(), [...deadNetns].sort());
  t.same(report.killedProcessGroups, [guest.pid]);
  t.same(report.removedPaths, [path]);
  t.same(report.keptAlive, [liveNetns]);
  t.same(report.leftAlone, [stranger]);

  const now = netnsList();
  t.notOk(
    deadNetns.some((n) => now.includes(n)),
    'the dead run’s namespaces are gone',
  );
  t.ok(now.includes(liveNetns), 'the live run’s namespace is untouched');
  t.ok(now.includes(stranger), 'the stranger is untouched');
  t.same(await guestExit, [null, 'SIGKILL'], 'the guest process group was killed');
  t.notOk(existsSync(path), 'the temp folder is gone');
  t.equal(readRecord(dead), undefined, 'the dead record is gone');
  t.ok(readRecord(live.id), 'the live record stays');

  t.same((await cleanDeadRuns()).removedRuns, [], 'a second clean finds nothing');
  await live.close();
  await run(['ip', 'netns', 'del', stranger]);
  t.same(leaks(before), { netns: [], links: [] });
});

void t.test('the next run heals what a killed one left behind', async (t) => {
  const before = snapshot();
  const ns = netnsName('dead2', 'client');
  await addNetns(t, ns);
  claimRecord(deadRecord('dead2'));
  const logged: string[] = [];
  const r = await RunContext.open({ log: (l) => logged.push(l) });
  t.teardown(() => r.close());
  t.same(logged, ['removed leftovers of dead run(s) dead2']);
  t.notOk(netnsList().includes(ns));
  await r.close();
  t.same(leaks(before), { netns: [], links: [] });
});
