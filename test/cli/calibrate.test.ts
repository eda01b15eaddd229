import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { cli, ensureBuilt, isolateState, leaks, ROOT, snapshot } from '../fixtures/host.js';

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

void t.test(
  'without CAP_SYS_NICE (a plain container) it runs at normal priority, saying so',
  async (t) => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('TAP')),
    );
    const res = spawnSync(
      'setpriv',
      [
        '--bounding-set',
        '-sys_nice',
        '--inh-caps=-sys_nice',
        '--',
        process.execPath,
        join(ROOT, 'bin', 'bondlab.js'),
        'calibrate',
        '--outages',
        '30',
        '--repeat',
        '1',
        '--json',
      ],
      { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 },
    );
    t.ok(res.status === 0 || res.status === 1, `measured (exit ${String(res.status)})`, {
      stderr: res.stderr.slice(-2000),
    });
    t.match(res.stderr, /fault driver: no real-time priority here/);
    t.match(res.stderr, /probe agents: no real-time priority here/);
    t.equal((JSON.parse(res.stdout) as { samples: unknown[] }).samples.length, 1);
  },
);
