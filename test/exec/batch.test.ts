import t from 'tap';
import { BondlabError } from '../../harness/errors.js';
import { Batch } from '../../harness/exec/batch.js';
import { CommandError } from '../../harness/exec/command-error.js';
import { run, spawnCount } from '../../harness/exec/run.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { isolateState, leaks, netnsList, snapshot } from '../fixtures/host.js';

isolateState(t);

/** The links of a namespace, by name. */
async function linkNames(ns: string): Promise<string[]> {
  const { stdout } = await run(['ip', '-j', 'link', 'show'], { netns: ns });
  return (JSON.parse(stdout) as { ifname: string }[]).map((l) => l.ifname).sort();
}

void t.test('a batch runs many commands as one process in its namespace', async (t) => {
  const before = snapshot();
  await withRun(async (r) => {
    const ns = r.netns('batch');
    r.deferNetns([ns]);
    await run(['ip', 'netns', 'add', ns]);
    const b = new Batch('ip', ns)
      .add('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1')
      .add('link', 'add', 'v2', 'type', 'veth', 'peer', 'name', 'v3')
      .add('link', 'set', 'v0', 'mtu', 9000);
    t.equal(b.size, 3);
    t.equal(b.netns, ns);
    t.equal(
      b.text(),
      'link add v0 type veth peer name v1\nlink add v2 type veth peer name v3\nlink set v0 mtu 9000\n',
    );
    const spawned = spawnCount();
    const result = await b.commit();
    t.equal(spawnCount() - spawned, 1, 'one process for three commands');
    t.same(result?.argv, ['ip', '-n', ns, '-batch', '-']);
    t.same(await linkNames(ns), ['lo', 'v0', 'v1', 'v2', 'v3']);
  });
  t.same(leaks(before), { netns: [], links: [] });
});

void t.test('a failing batch names the line that failed and the namespace', async (t) => {
  await withRun(async (r) => {
    const ns = r.netns('batch');
    r.deferNetns([ns]);
    await run(['ip', 'netns', 'add', ns]);
    const b = new Batch('ip', ns)
      .add('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1')
      .add('link', 'set', 'nosuchdev', 'up')
      .add('link', 'add', 'v2', 'type', 'veth', 'peer', 'name', 'v3');
    let error: unknown;
    try {
      await b.commit();
    } catch (e) {
      error = e;
    }
    t.ok(error instanceof CommandError);
    const e = error as CommandError;
    t.equal(e.code, 'E_COMMAND_FAILED');
    t.match(e.message, `ip batch failed at "ip link set nosuchdev up" in namespace ${ns}`);
    t.match(e.stderr, /Cannot find device "nosuchdev"/);
    t.equal(e.netns, ns);
    t.equal(e.exitCode, 1);
    t.ok(e.cause instanceof CommandError, 'the original error is the cause');
    t.same(await linkNames(ns), ['lo', 'v0', 'v1'], 'ip stops at the failing line');

    // -force keeps going past the failing line, and still reports the failure.
    const forced = new Batch('ip', ns)
      .add('link', 'set', 'nosuchdev', 'up')
      .add('link', 'add', 'v4', 'type', 'veth', 'peer', 'name', 'v5');
    await t.rejects(forced.commit({ force: true }), { code: 'E_COMMAND_FAILED' });
    t.same(await linkNames(ns), ['lo', 'v0', 'v1', 'v4', 'v5'], 'the line after the failure ran');
  });
});

void t.test('a batch refuses words that could smuggle a second command', async (t) => {
  const before = netnsList();
  const spawned = spawnCount();
  const attacks = [
    'eth0; rm -rf /',
    'eth0\nnetns del x',
    'eth0\rnetns del x',
    'eth0\tup',
    'a b',
    '"quoted"',
    "it's",
    'back\\slash',
    'eth0#comment',
    '',
  ];
  for (const word of attacks) {
    const b = new Batch('ip');
    const error = t.throws(
      () => b.add('link', 'set', word, 'up'),
      `refuses ${JSON.stringify(word)}`,
    );
    t.ok(error instanceof BondlabError && error.code === 'E_COMMAND_FAILED');
    t.match((error as Error).message, `batch word ${JSON.stringify(word)}`, 'names the word');
    t.equal(b.size, 0, 'nothing was added');
    t.equal(await b.commit(), undefined, 'an empty batch runs nothing');
  }
  // tc batches check words the same way.
  t.throws(() => new Batch('tc', 'ns').add('qdisc', 'del', 'dev', 'eth0\nqdisc'));
  t.equal(spawnCount(), spawned, 'no process was started');
  t.same(netnsList(), before, 'no namespace came or went');
});

void t.test('no shell is involved: ; | and & are plain characters to ip', async (t) => {
  const b = new Batch('ip').add('netns', 'add', 'bl-x;y', 'a|b', 'c&d', 7);
  t.equal(b.text(), 'netns add bl-x;y a|b c&d 7\n');
});
