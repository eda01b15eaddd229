/**
 * `ip -d -ts -o monitor link` lines recorded inside User-mode Linux while an active-backup bond
 * (miimon 100) lost carrier on its active slave eth0 and got it back (test/fixtures/monitor/).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { LinkEventParser } from '../../harness/measure/link-events.js';
import { ROOT } from '../fixtures/host.js';

const lines = readFileSync(join(ROOT, 'test/fixtures/monitor/ab-failover-uml.txt'), 'utf8')
  .split('\n')
  .filter((l) => l !== '');

void t.test(
  'a failover reads as carrier loss, slave down, the failover event and the return',
  async (t) => {
    const parser = new LinkEventParser(0);
    parser.seed('eth0', ['BROADCAST', 'MULTICAST', 'SLAVE', 'UP', 'LOWER_UP'], {
      state: 'ACTIVE',
      mii_status: 'UP',
    });
    parser.seed('eth1', ['BROADCAST', 'MULTICAST', 'SLAVE', 'UP', 'LOWER_UP'], {
      state: 'BACKUP',
      mii_status: 'UP',
    });
    const events = lines.flatMap((l) => parser.parse(l));
    t.same(
      events.map((e) => `${e.ifname} ${e.kind}${e.detail === undefined ? '' : ` ${e.detail}`}`),
      [
        'eth0 carrier-down',
        'eth0 slave-down',
        'eth0 slave-backup',
        'eth1 slave-active',
        'bond0 failover',
        'bond0 notify-peers',
        'bond0 bond-event RESEND IGMP',
        'eth0 carrier-up',
        'eth0 slave-up',
      ],
      'each change once, in order',
    );
    const at = (kind: string): number => events.find((e) => e.kind === kind)?.atMs ?? Number.NaN;
    // 05:48:29.543264 carrier loss, 05:48:29.549248 failover: the timestamps keep their microseconds.
    t.equal(
      Math.round((at('failover') - at('carrier-down')) * 1000),
      5984,
      'microsecond timestamps',
    );
    t.equal(
      at('carrier-down'),
      Date.UTC(2026, 10, 26, 5, 48, 29) + 543.264,
      'UTC wall clock, as ms',
    );
  },
);

void t.test('the clock offset moves every timestamp onto the monotonic axis', async (t) => {
  const offset = Date.UTC(2026, 10, 26, 5, 48, 0);
  const events = lines.flatMap((l) => new LinkEventParser(offset).parse(l));
  t.ok(events.length > 0);
  for (const e of events) t.ok(e.atMs > 29_000 && e.atMs < 31_000, `${e.kind} at ${e.atMs} ms`);
});

void t.test(
  'unseeded interfaces are taken as up; anything that is not a link line is ignored',
  async (t) => {
    const parser = new LinkEventParser(0);
    t.same(parser.parse('Deleted something odd'), []);
    t.same(parser.parse(''), []);
    const events = lines.flatMap((l) => parser.parse(l)).map((e) => `${e.ifname} ${e.kind}`);
    t.ok(events.includes('eth0 carrier-down') && events.includes('bond0 failover'));
    t.notOk(
      events.includes('eth1 slave-active'),
      'without a seed, the first role seen is the baseline',
    );
  },
);

void t.test('a deleted link and our own marker', async (t) => {
  const parser = new LinkEventParser(0);
  const marker =
    '[2026-11-26T05:48:28.934336] 1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default \\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 \\    alias bondlab-mark-abcde-1';
  t.same(
    parser.parse(marker).map((e) => [e.kind, e.detail]),
    [['marker', 'bondlab-mark-abcde-1']],
  );
  const deleted =
    '[2026-11-26T05:48:31.000000] Deleted 4: bond0: <BROADCAST,MULTICAST,MASTER> mtu 1500 qdisc noqueue state DOWN group default';
  t.same(
    parser.parse(deleted).map((e) => [e.ifname, e.kind]),
    [['bond0', 'deleted']],
  );
});
