import t from 'tap';
import tmp from 'tmp';
import { CommandError } from '../../harness/exec/command-error.js';
import { installHint, namespacedArgv, run, spawnCount } from '../../harness/exec/run.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { isolateState, snapshot, leaks } from '../fixtures/host.js';

isolateState(t);

/** Runs `fn` and returns what it threw (a test failure if it did not throw). */
async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

void t.test('a failing command raises CommandError with the whole story', async (t) => {
  const before = snapshot();
  await withRun(async (r) => {
    const ns = r.netns('exec');
    r.deferNetns([ns]);
    await run(['ip', 'netns', 'add', ns]);
    const error = await rejection(() =>
      run(['ip', 'link', 'set', 'nosuchdev', 'up'], { netns: ns }),
    );
    t.ok(error instanceof CommandError, 'a CommandError');
    const e = error as CommandError;
    t.equal(e.code, 'E_COMMAND_FAILED');
    t.same(e.argv, ['ip', '-n', ns, 'link', 'set', 'nosuchdev', 'up'], 'argv as executed');
    t.equal(e.netns, ns);
    t.equal(e.exitCode, 1);
    t.equal(e.signal, undefined);
    t.match(e.stderr, /Cannot find device "nosuchdev"/, 'what the kernel answered');
    t.type(e.durationMs, 'number');
    t.ok(e.durationMs >= 0, 'a duration is measured');
    t.match(e.message, `ip -n ${ns} link set nosuchdev up in namespace ${ns}`);
    t.match(e.message, /\| Cannot find device "nosuchdev"/, 'stderr is in the message');

    // Commands other than ip and tc enter the namespace with `ip netns exec`.
    const inside = await run(['cat', '/proc/net/dev'], { netns: ns });
    t.same(inside.argv, ['ip', 'netns', 'exec', ns, 'cat', '/proc/net/dev']);
    t.match(inside.stdout, /lo:/);
    t.notMatch(inside.stdout, /eth|ens|ifb/, 'only the namespace’s own interfaces');
  });
  t.same(leaks(before), { netns: [], links: [] }, 'the namespace is gone');
});

void t.test('exit codes the caller expects are results, not errors', async (t) => {
  const r = await run(['sh', '-c', 'echo out; echo err >&2; exit 3'], { okExitCodes: [3] });
  t.equal(r.exitCode, 3);
  t.equal(r.stdout, 'out\n');
  t.equal(r.stderr, 'err\n');
  const e = await rejection(() => run(['sh', '-c', 'exit 4'], { okExitCodes: [3] }));
  t.match(e, { code: 'E_COMMAND_FAILED', exitCode: 4 });
});

void t.test('input goes to standard input', async (t) => {
  const r = await run(['cat'], { input: 'hello\nworld\n' });
  t.equal(r.stdout, 'hello\nworld\n');
});

void t.test('a missing program: E_COMMAND_NOT_FOUND with the apt-get line', async (t) => {
  // A PATH without ping: the real lookup fails, as on a machine without iputils-ping.
  const empty = tmp.dirSync({ unsafeCleanup: true });
  const path = process.env.PATH;
  process.env.PATH = empty.name;
  t.teardown(() => {
    process.env.PATH = path;
    empty.removeCallback();
  });
  const e = await rejection(() => run(['ping', '-c', '1', '127.0.0.1']));
  t.ok(e instanceof CommandError);
  t.match(e, {
    code: 'E_COMMAND_NOT_FOUND',
    argv: ['ping', '-c', '1', '127.0.0.1'],
    exitCode: undefined,
    hint: 'apt-get update && apt-get install -y iputils-ping',
  });
  t.match((e as Error).message, /ping is not installed/);
  process.env.PATH = path;

  const unknown = await rejection(() => run(['bondlab-no-such-program']));
  t.match(unknown, {
    code: 'E_COMMAND_NOT_FOUND',
    hint: 'install bondlab-no-such-program and make sure it is on PATH',
  });
  t.equal(installHint('iperf3'), 'apt-get update && apt-get install -y iperf3');
  t.equal(installHint('tc'), 'apt-get update && apt-get install -y iproute2');
});

void t.test('a command past its timeout: E_COMMAND_TIMEOUT', async (t) => {
  const e = await rejection(() => run(['sleep', '30'], { timeoutMs: 50 }));
  t.ok(e instanceof CommandError);
  t.match(e, { code: 'E_COMMAND_TIMEOUT', argv: ['sleep', '30'] });
  t.match((e as Error).message, /^timed out after 50 ms: sleep 30/);
});

void t.test('an aborted command: E_COMMAND_ABORTED, with the reason as cause', async (t) => {
  const controller = new AbortController();
  const reason = new Error('the run was interrupted');
  const pending = run(['sleep', '30'], { signal: controller.signal });
  controller.abort(reason);
  const e = await rejection(() => pending);
  t.ok(e instanceof CommandError);
  t.match(e, { code: 'E_COMMAND_ABORTED', argv: ['sleep', '30'] });
  t.equal((e as Error).cause, reason);
});

void t.test('a command killed by a signal says so', async (t) => {
  const e = await rejection(() => run(['sh', '-c', 'kill -9 $$']));
  t.match(e, { code: 'E_COMMAND_FAILED', signal: 'SIGKILL', exitCode: undefined });
  t.match((e as Error).message, /^killed by SIGKILL/);
});

void t.test('namespacedArgv: one exec for ip and tc, ip netns exec for the rest', async (t) => {
  t.same(namespacedArgv(['ip', 'link'], undefined), ['ip', 'link']);
  t.same(namespacedArgv(['tc', 'qdisc'], 'ns1'), ['tc', '-n', 'ns1', 'qdisc']);
  t.same(namespacedArgv(['ping', '-c', '1'], 'ns1'), [
    'ip',
    'netns',
    'exec',
    'ns1',
    'ping',
    '-c',
    '1',
  ]);
  t.throws(() => namespacedArgv([], 'ns1'), TypeError);
});

void t.test('spawnCount counts every process started, failed or not', async (t) => {
  const before = spawnCount();
  await run(['true']);
  await rejection(() => run(['false']));
  t.equal(spawnCount() - before, 2);
});
