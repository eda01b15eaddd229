/**
 * `bondlab clean` after a kill -9, with a live run and a stranger's namespace beside it. The CLI runs
 * from dist/, built here when missing or older than the sources.
 */
import t from 'tap';
import { run } from '../../harness/exec/run.js';
import type { CleanReport } from '../../harness/lifecycle/clean.js';
import { listRecords } from '../../harness/lifecycle/records.js';
import {
  added,
  cli,
  ensureBuilt,
  isolateState,
  leaks,
  netnsList,
  snapshot,
  startCli,
} from '../fixtures/host.js';

ensureBuilt();
isolateState(t);

/** The veth ends inside a namespace, to show that clean left its content alone. */
async function linkNames(ns: string): Promise<string[]> {
  const { stdout } = await run(['ip', '-j', 'link', 'show'], { netns: ns });
  return (JSON.parse(stdout) as { ifname: string }[]).map((l) => l.ifname);
}

void t.test('kill -9 leaves namespaces; clean removes only those', async (t) => {
  const before = snapshot();

  // A namespace a user made, named like ours, with no run record.
  const stranger = 'blzzzzz-h1';
  await run(['ip', 'netns', 'add', stranger]);
  t.teardown(() => run(['ip', 'netns', 'del', stranger], { okExitCodes: [1] }));
  await run(['ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'], { netns: stranger });

  // A live run, holding its topology.
  const live = startCli(t, ['up', 'direct', '--kernel', 'host', '--hold', '60']);
  await live.waitForStderr('holding for');
  const liveId = live.runId() as string;
  const liveNetns = added(before.netns, netnsList()).filter((n) => n !== stranger);
  t.same(liveNetns, [`bl${liveId}-a`, `bl${liveId}-b`]);

  // A run killed with SIGKILL while it holds: it cannot tear down.
  const victim = startCli(t, ['up', 'switched', '--kernel', 'host', '--hold', '60']);
  await victim.waitForStderr('holding for');
  const victimId = victim.runId() as string;
  const victimNetns = ['client', 'server', 'sw'].map((n) => `bl${victimId}-${n}`);
  victim.child.kill('SIGKILL');
  const killed = await victim.exited;
  t.equal(killed.signal, 'SIGKILL');
  t.ok(
    victimNetns.every((n) => netnsList().includes(n)),
    'kill -9 leaves the namespaces behind',
  );

  const res = await cli(t, ['clean', '--json']);
  t.equal(res.code, 0, 'exit 0', { stderr: res.stderr });
  const report = JSON.parse(res.stdout) as CleanReport;
  t.same(report.removedRuns, [victimId]);
  t.same(report.removedNetns.sort(), victimNetns);
  t.same(report.keptAlive.sort(), liveNetns);
  t.same(report.leftAlone, [stranger]);

  const now = netnsList();
  t.notOk(
    victimNetns.some((n) => now.includes(n)),
    'the killed run’s namespaces are gone',
  );
  t.ok(
    liveNetns.every((n) => now.includes(n)),
    'the live run’s namespaces are there',
  );
  t.same(await linkNames(liveNetns[0] as string), ['lo', 'eth0'], 'and untouched');
  t.ok(now.includes(stranger), 'the stranger is there');
  t.same((await linkNames(stranger)).sort(), ['lo', 'v0', 'v1'], 'and untouched');
  t.same(
    listRecords().map((r) => r.id),
    [liveId],
    'only the live run keeps a record',
  );

  const text = await cli(t, ['clean']);
  t.equal(text.code, 0);
  t.match(text.stdout, 'nothing to clean: no dead runs');
  t.match(text.stdout, 'kept 2 namespace(s) of live runs');
  t.match(text.stdout, `left alone ${stranger}: named like bondlab's but no run record`);

  live.child.kill('SIGTERM');
  await live.exited;
  await run(['ip', 'netns', 'del', stranger]);
  t.same(leaks(before), { netns: [], links: [] });
  t.same(listRecords(), []);
});
