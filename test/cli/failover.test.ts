import t from 'tap';
import { parseBondFlag } from '../../harness/cli/commands/failover.js';
import { hostHasBonding } from '../../harness/kernels/host.js';
import { cli, ensureBuilt, isolateState, leaks, snapshot } from '../fixtures/host.js';

isolateState(t);
ensureBuilt();

void t.test('--bond reads option=value pairs', async (t) => {
  t.same(parseBondFlag('mode=active-backup,miimon=100'), { mode: 'active-backup', miimon: 100 });
  t.same(
    parseBondFlag('mode=1,arp_interval=100,arp_ip_target=server+198.18.0.9,use_carrier=false'),
    {
      mode: 1,
      arp_interval: 100,
      arp_ip_target: ['server', '198.18.0.9'],
      use_carrier: false,
    },
  );
});

void t.test('bad input: exit 2, the field named, nothing created or booted', async (t) => {
  const before = snapshot();
  for (const [args, field] of [
    [['--bond', 'miimon'], '--bond'],
    [['--bond', 'mode=9'], '--bond mode'],
    [['--bond', 'miimon=100,miimon=200'], '--bond'],
    [['--bond', 'mode=1,primary=eth5'], '--bond primary'],
    [['--bond', 'mode=1,nosuch=1'], '--bond nosuch'],
    [['--bond', 'mode=1;rm -rf /'], '--bond'],
    [['--repeat', '0'], '--repeat'],
    [['--rate', 'fast'], '--rate'],
    [['--fault-ms', '5'], '--fault-ms'],
  ] as const) {
    const res = await cli(t, ['failover', ...args]);
    t.equal(res.code, 2, args.join(' '));
    t.match(res.stderr, `bondlab: ${field}`, `names ${field}`);
    t.notMatch(res.stderr, /kernel: /, 'no kernel was chosen, let alone booted');
  }
  t.same(leaks(before), { netns: [], links: [] });
});

void t.test(
  'bondlab failover measures the seed bond (in UML where the host has no bonding)',
  async (t) => {
    const before = snapshot();
    const res = await cli(t, ['failover', '--fault-ms', '1000', '--json']);
    t.equal(res.code, 0, 'exit 0', { stderr: res.stderr.slice(-3000) });
    t.match(res.stderr, (await hostHasBonding()) ? /kernel: host/ : /kernel: uml /);
    // Inside a guest the console carries the JSON among kernel lines: take the JSON block.
    const json = res.stdout.slice(res.stdout.indexOf('{\n'), res.stdout.lastIndexOf('\n}') + 2);
    const out = JSON.parse(json) as {
      metrics: { name: string; samples: number[] }[];
      results: { activeBefore?: string; activeAfter?: string; events: { kind: string }[] }[];
    };
    const metric = (name: string): number[] =>
      out.metrics.find((m) => m.name === name)?.samples ?? [];
    t.equal(metric('detection').length, 1, 'one detection sample');
    t.ok((metric('outage')[0] ?? 0) > 0, 'an outage was measured');
    const [r] = out.results;
    t.not(r?.activeAfter, r?.activeBefore, 'the bond failed over');
    t.ok(
      r?.events.some((e) => e.kind === 'failover'),
      'the failover event is in the timeline',
    );
    t.same(leaks(before), { netns: [], links: [] });
  },
);
