import { spawn } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';
import { run, spawnCount } from '../../harness/exec/run.js';
import { deleteNetns, listNetns, pidsInNetns } from '../../harness/lifecycle/netns.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { isolateState, leaks, netnsList, snapshot } from '../fixtures/host.js';

isolateState(t);

void t.test('listNetns reads what `ip netns list` shows', async (t) => {
  await withRun(async (r) => {
    const names = [r.netns('b'), r.netns('a')];
    r.deferNetns(names);
    for (const n of names) await run(['ip', 'netns', 'add', n]);
    t.same(listNetns(), netnsList());
    t.ok(names.every((n) => listNetns().includes(n)));
  });
});

void t.test('deleteNetns kills what runs inside, then deletes the namespaces', async (t) => {
  const before = snapshot();
  await withRun(async (r) => {
    const [ns, empty] = [r.netns('busy'), r.netns('empty')];
    r.deferNetns([ns, empty]);
    await run(['ip', 'netns', 'add', ns]);
    await run(['ip', 'netns', 'add', empty]);
    // `ip netns exec` execs the program: the child's pid is the sleep inside the namespace.
    const child = spawn('ip', ['netns', 'exec', ns, 'sleep', '60'], { stdio: 'ignore' });
    const exited = once(child, 'exit');
    t.teardown(() => {
      child.kill('SIGKILL');
    });
    await once(child, 'spawn');
    // The exec into the namespace happens right after spawn; look until the kernel shows it.
    let found = pidsInNetns([ns]).get(ns) ?? [];
    while (!found.includes(child.pid as number) && child.exitCode === null) {
      await new Promise((resolve) => setImmediate(resolve));
      found = pidsInNetns([ns]).get(ns) ?? [];
    }
    t.same(found, [child.pid], 'the process is found by its namespace');
    t.equal(pidsInNetns([empty]).get(empty), undefined, 'no process in the empty one');

    const deleted = await deleteNetns([ns, empty, r.netns('never-made')]);
    t.same(deleted, [ns, empty], 'only namespaces that existed are reported');
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    t.same({ code, signal }, { code: null, signal: 'SIGKILL' }, 'the process inside was killed');
    t.notOk(netnsList().includes(ns));
    t.notOk(netnsList().includes(empty));
  });
  t.same(leaks(before), { netns: [], links: [] });
});

void t.test('deleting namespaces that do not exist starts no process', async (t) => {
  const spawned = spawnCount();
  t.same(await deleteNetns(['blzzzzz-nothing', 'blzzzzz-else']), []);
  t.equal(spawnCount(), spawned);
});
