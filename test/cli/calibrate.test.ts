import t from 'tap';
import { cli, ensureBuilt, isolateState, leaks, snapshot } from '../fixtures/host.js';

isolateState(t);
ensureBuilt();

void t.test('bondlab calibrate runs here (no bonding needed) and prints JSON', async (t) => {
  const before = snapshot();
  const res = await cli(t, ['calibrate', '--outages', '40', '--repeat', '1', '--json']);
  t.ok(res.code === 0 || res.code === 1, `exit 0 (target met) or 1 (missed), not ${res.code}`, {
    stderr: res.stderr.slice(-2000),
  });
  t.match(res.stderr, /kernel: host \(auto: this command needs no bonding\)/);
  const result = JSON.parse(res.stdout) as { samples: { requestedMs: number }[] };
  t.same(
    result.samples.map((s) => s.requestedMs),
    [40],
  );
  t.same(leaks(before), { netns: [], links: [] });
});

void t.test('bad input: exit 2, the field named, nothing created', async (t) => {
  const before = snapshot();
  for (const [args, field] of [
    [['--outages', '20,abc'], '--outages'],
    [['--outages', '0'], 'outages[0]'],
    [['--repeat', '-1'], '--repeat'],
    [['--rate', '100000'], '--rate'],
    [['--kernel', 'nosuch'], 'kernel'],
  ] as const) {
    const res = await cli(t, ['calibrate', ...args]);
    t.equal(res.code, 2, args.join(' '));
    t.match(res.stderr, field, `names ${field}`);
  }
  t.same(leaks(before), { netns: [], links: [] });
});
