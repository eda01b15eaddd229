/**
 * The parser against real iperf3 output: TCP with two streams and a warm-up, UDP with the
 * receiver's report, iperf3's own error, and output that is not its JSON.
 */
import t from 'tap';
import { parseNetnsName } from '../../harness/lifecycle/names.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import {
  Iperf3Error,
  parseIperf3Json,
  type Iperf3Interval,
} from '../../harness/measure/iperf3-json.js';
import { iperf3ClientArgv, startIperf3Server } from '../../harness/measure/iperf3.js';
import { directPair } from '../../harness/topology/examples.js';
import { Topology } from '../../harness/topology/topology.js';
import { isolateState, leaks, snapshot } from '../fixtures/host.js';

isolateState(t);

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const measured = (intervals: Iperf3Interval[]): Iperf3Interval[] =>
  intervals.filter((i) => !i.omitted);

/** Real iperf3 client reports from host a to a server on b: the raw text of each run. */
async function reports(): Promise<{
  tcp: string;
  udp: string;
  refused: string;
  ns: string;
  id: string;
}> {
  return withRun(async (run) => {
    const topo = await Topology.build(run, directPair());
    const server = topo.address('b');
    await startIperf3Server(run, { netns: topo.netns('b'), address: server, port: 5201 });
    const client = {
      netns: topo.netns('a'),
      bind: topo.address('a'),
      server,
      port: 5201,
      durationS: 2,
      omitS: 1,
    };
    const tcp = await topo.exec('a', [
      ...iperf3ClientArgv({ ...client, protocol: 'tcp', clientPort: 30001 }),
      '-P',
      '2',
    ]);
    const udp = await topo.exec('a', [
      ...iperf3ClientArgv({ ...client, protocol: 'udp', omitS: 0, udpBitsPerSecond: 50e6 }),
      '-P',
      '2',
    ]);
    // Nothing listens on 5299: iperf3 says so in its JSON.
    const refused = await topo.exec(
      'a',
      iperf3ClientArgv({ ...client, port: 5299, protocol: 'tcp' }),
      { okExitCodes: [1] },
    );
    return {
      tcp: tcp.stdout,
      udp: udp.stdout,
      refused: refused.stdout,
      ns: topo.netns('a'),
      id: run.id,
    };
  });
}

const before = snapshot();
const real = await reports();
// Only this run's namespaces: other runs (another test process) may come and go meanwhile.
const left = leaks(before);
t.same(
  { netns: left.netns.filter((n) => parseNetnsName(n)?.runId === real.id), links: left.links },
  { netns: [], links: [] },
  'the topology is gone',
);

void t.test('TCP: two streams, one second of warm-up, two measured', async (t) => {
  const r = parseIperf3Json(real.tcp);
  t.equal(r.protocol, 'tcp');
  t.match(r.version, /^iperf 3\./);
  t.equal(r.durationS, 2);
  t.equal(r.omitS, 1);
  t.equal(r.numStreams, 2);
  t.equal(r.connected.length, 2);
  t.same(
    r.connected.map((c) => [c.localHost, c.remotePort]),
    [
      ['198.18.0.1', 5201],
      ['198.18.0.1', 5201],
    ],
    'bound to a’s address, to the server’s port',
  );
  t.equal(r.connected[0]?.localPort, 30001, '--cport is the first stream’s port');
  t.equal(r.intervals.length, r.omitS + r.durationS, 'one interval a second, warm-up included');
  t.same(
    r.intervals.map((i) => i.omitted),
    [true, false, false],
    'the warm-up interval is marked',
  );
  for (const [k, i] of r.intervals.entries()) {
    t.ok(i.bytes > 0 && i.bitsPerSecond > 0, `interval ${k} carried data`);
    t.equal(i.packets, undefined, 'no datagram count for TCP');
    t.equal(i.streams.length, 2);
    t.equal(i.bytes, sum(i.streams.map((s) => s.bytes)), 'bytes are the streams’ sum');
    t.equal(i.retransmits, sum(i.streams.map((s) => s.retransmits ?? NaN)));
    t.ok(Math.abs(i.bitsPerSecond - (i.bytes * 8) / i.seconds) < i.bitsPerSecond * 1e-3);
    t.ok(i.end > i.start);
  }
  t.ok(r.end.sent.bytes > 0 && r.end.received.bytes > 0);
  const intervalBytes = sum(measured(r.intervals).map((i) => i.bytes));
  t.ok(
    Math.abs(r.end.sent.bytes - intervalBytes) <= r.end.sent.bytes * 0.01,
    `sent bytes (${r.end.sent.bytes}) are the measured intervals' (${intervalBytes})`,
  );
  t.ok(
    Math.abs(r.end.received.bytes - r.end.sent.bytes) <= r.end.sent.bytes * 0.05,
    'the receiver got what was sent',
  );
  t.equal(r.end.retransmits, sum(measured(r.intervals).map((i) => i.retransmits ?? NaN)));
  t.equal(r.end.udp, undefined);
  t.equal(r.receiverIntervals, undefined);
  t.ok(r.cpu.hostTotal > 0 && r.cpu.remoteTotal > 0, 'CPU use of both ends');
  t.ok(r.cpu.hostTotal >= r.cpu.hostSystem);
});

void t.test('UDP: datagrams per interval, and the receiver’s loss per interval', async (t) => {
  const r = parseIperf3Json(real.udp);
  t.equal(r.protocol, 'udp');
  t.equal(r.omitS, 0);
  t.equal(r.intervals.length, 2);
  for (const i of r.intervals) {
    t.ok((i.packets ?? 0) > 0, 'datagrams were sent');
    t.equal(i.retransmits, undefined);
    t.equal(i.packets, sum(i.streams.map((s) => s.packets ?? NaN)));
  }
  const udp = r.end.udp;
  if (udp === undefined) throw new Error('no UDP totals');
  t.equal(udp.packets, sum(r.intervals.map((i) => i.packets ?? NaN)), 'totals match intervals');
  t.ok(udp.lostPackets >= 0 && udp.lostPackets <= udp.packets);
  t.ok(udp.lostPercent >= 0 && udp.lostPercent <= 100);
  t.ok(udp.jitterMs >= 0);
  t.ok(
    r.end.sent.bitsPerSecond <= 2 * 50e6 * 1.2,
    'two streams paced at 50 Mbit/s each send no more',
  );
  const rx = r.receiverIntervals ?? [];
  t.ok(rx.length >= r.durationS, 'the server reported its intervals');
  for (const i of rx) {
    t.ok(i.packets > 0 && i.lostPackets <= i.packets);
    t.equal(i.omitted, false);
  }
  t.ok(
    Math.abs(sum(rx.map((i) => i.packets)) - udp.packets) <= udp.packets * 0.05,
    'the receiver counted about the datagrams sent (both streams, from its [SUM] lines)',
  );
});

void t.test('iperf3’s own error becomes E_IPERF3 with its message', async (t) => {
  const argv = ['iperf3', '-c', '198.18.0.2'];
  const error = t.throws(() => parseIperf3Json(real.refused, { argv, netns: real.ns }));
  t.ok(error instanceof Iperf3Error);
  t.match(error, {
    code: 'E_IPERF3',
    iperf3Message: /unable to connect to server/,
    hint: /server listening/,
    netns: real.ns,
  });
  t.match((error as Error).message, `iperf3 -c 198.18.0.2 in namespace ${real.ns}`);
  t.match((error as Error).message, /^iperf3 failed: unable to connect/);
});

void t.test('output that is not iperf3’s JSON is a clear error', async (t) => {
  t.throws(() => parseIperf3Json('iperf3: error - no such option'), {
    code: 'E_IPERF3',
    message: /not JSON .*began "iperf3: error - no such option"/,
    iperf3Message: undefined,
  });
  t.throws(() => parseIperf3Json(real.tcp.slice(0, real.tcp.length / 2)), {
    code: 'E_IPERF3',
    message: /not JSON/,
  });
  t.throws(() => parseIperf3Json('[]'), { code: 'E_IPERF3', message: /not an object/ });
  t.throws(() => parseIperf3Json('{}'), {
    code: 'E_IPERF3',
    message: /no start\.test_start\.protocol, expected a string/,
  });
  const doc = JSON.parse(real.tcp) as {
    end: { sum_sent: { bytes: unknown } };
    intervals: { streams: { retransmits?: number }[] }[];
  };
  doc.end.sum_sent.bytes = 'many';
  t.throws(() => parseIperf3Json(JSON.stringify(doc)), {
    code: 'E_IPERF3',
    message: /a string for end\.sum_sent\.bytes, expected a number/,
  });
  delete doc.intervals[1]?.streams[1]?.retransmits;
  t.throws(() => parseIperf3Json(JSON.stringify(doc)), {
    code: 'E_IPERF3',
    message: /no intervals\.1\.streams\.1\.retransmits, expected a number/,
  });
});
