/**
 * iperf3 servers and clients for real: servers ready by their own word and gone after a stop, a
 * teardown, an abort or a SIGKILL; parallel flows on distinct server and client ports, combined.
 */
import t from 'tap';
import { BondlabError } from '../../harness/errors.js';
import { pidsInNetns } from '../../harness/lifecycle/netns.js';
import { parseNetnsName } from '../../harness/lifecycle/names.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import {
  FIRST_CLIENT_PORT,
  FIRST_SERVER_PORT,
  runIperf3Client,
  runIperf3Flows,
  startIperf3Server,
  startIperf3Servers,
} from '../../harness/measure/iperf3.js';
import { directPair } from '../../harness/topology/examples.js';
import { Topology } from '../../harness/topology/topology.js';
import { isolateState, leaks, snapshot, type HostSnapshot } from '../fixtures/host.js';
import { pidsWhere } from '../fixtures/processes.js';

isolateState(t);

/** What run `id` left behind; other runs (another test process) may come and go meanwhile. */
function leaksOf(id: string, before: HostSnapshot): HostSnapshot {
  const l = leaks(before);
  return { netns: l.netns.filter((n) => parseNetnsName(n)?.runId === id), links: l.links };
}

const NO_LEAKS = { netns: [], links: [] };

/** Of these pids, the ones that are still an iperf3 process. */
function iperf3Alive(pids: readonly number[]): number[] {
  return pidsWhere((argv) => argv[0] === 'iperf3').filter((p) => pids.includes(p));
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

void t.test('servers: ready by their own output, one per port, gone once stopped', async (t) => {
  const before = snapshot();
  let id = '';
  const pids: number[] = [];
  await withRun(async (run) => {
    id = run.id;
    const topo = await Topology.build(run, directPair());
    const ns = topo.netns('b');
    const address = topo.address('b');
    const pending = run.teardown.pending;
    const ports = [0, 1, 2].map((i) => FIRST_SERVER_PORT + i);
    const servers = await startIperf3Servers(
      run,
      ns,
      ports.map((port) => ({ address, port })),
    );
    t.equal(run.teardown.pending, pending + 3, 'each stop is registered with the run');
    pids.push(...servers.map((s) => s.pid));
    t.same(
      servers.map((s) => s.port),
      ports,
    );
    for (const s of servers) t.match(s.lines().join('\n'), `Server listening on ${s.port}`);
    t.same(
      (pidsInNetns([ns]).get(ns) ?? []).sort(),
      [...pids].sort(),
      'the servers run inside b’s namespace',
    );
    t.same(iperf3Alive(pids).sort(), [...pids].sort());

    await Promise.all(servers.map((s) => s.stop()));
    t.same(iperf3Alive(pids), [], 'no server is left');
    t.equal(run.teardown.pending, pending, 'a stopped server leaves nothing to the teardown');
    await servers[0]?.stop();
    t.pass('stop is idempotent');
  });
  t.same(leaksOf(id, before), NO_LEAKS);
});

void t.test('parallel flows on distinct ports, per flow and combined', async (t) => {
  const before = snapshot();
  let id = '';
  const pids: number[] = [];
  await withRun(async (run) => {
    id = run.id;
    const topo = await Topology.build(run, directPair());
    const server = topo.address('b');
    const flows = [0, 1].map((i) => ({
      server,
      port: FIRST_SERVER_PORT + i,
      clientPort: FIRST_CLIENT_PORT + i,
    }));
    // Left running: the run's teardown stops them.
    const servers = await startIperf3Servers(
      run,
      topo.netns('b'),
      flows.map((f) => ({ address: f.server, port: f.port })),
    );
    pids.push(...servers.map((s) => s.pid));
    const r = await runIperf3Flows({
      netns: topo.netns('a'),
      bind: topo.address('a'),
      flows,
      protocol: 'tcp',
      durationS: 1,
      omitS: 1,
      signal: run.signal,
    });
    t.equal(r.flows.length, 2);
    for (const [i, f] of r.flows.entries()) {
      t.same(
        f.result.connected.map((c) => [c.localHost, c.localPort, c.remoteHost, c.remotePort]),
        [[topo.address('a'), FIRST_CLIENT_PORT + i, server, FIRST_SERVER_PORT + i]],
        `flow ${i}: its own client port and server port`,
      );
      t.ok(f.result.end.sent.bytes > 0);
    }
    const agg = r.aggregate;
    t.equal(agg.intervals.length, 2, 'warm-up and one measured second');
    for (const [k, i] of agg.intervals.entries()) {
      const parts = r.flows.map((f) => f.result.intervals[k]);
      t.equal(i.flows, 2);
      t.equal(i.bytes, sum(parts.map((p) => p?.bytes ?? NaN)), `interval ${k}: bytes summed`);
      t.equal(i.retransmits, sum(parts.map((p) => p?.retransmits ?? NaN)));
      t.equal(i.omitted, k === 0);
    }
    t.equal(agg.totals.sent.bytes, sum(r.flows.map((f) => f.result.end.sent.bytes)));
    t.equal(agg.totals.received.bytes, sum(r.flows.map((f) => f.result.end.received.bytes)));
    t.equal(
      agg.totals.sent.bitsPerSecond,
      sum(r.flows.map((f) => f.result.end.sent.bitsPerSecond)),
    );
    t.equal(agg.receiverIntervals, undefined, 'TCP has no receiver series');
    t.same(iperf3Alive(pids).sort(), [...pids].sort(), 'servers still up for the next flows');

    const udp = await runIperf3Flows({
      netns: topo.netns('a'),
      bind: topo.address('a'),
      flows,
      protocol: 'udp',
      udpBitsPerSecond: 20e6,
      durationS: 1,
      omitS: 0,
      signal: run.signal,
    });
    const rx = udp.aggregate.receiverIntervals ?? [];
    t.ok(rx.length >= 1, 'the receivers’ loss per interval, combined');
    t.equal(rx[0]?.flows, 2);
    t.equal(
      udp.aggregate.totals.udp?.packets,
      sum(udp.flows.map((f) => f.result.end.udp?.packets ?? NaN)),
    );
  });
  t.same(iperf3Alive(pids), [], 'the teardown stopped the servers');
  t.same(leaksOf(id, before), NO_LEAKS);
});

void t.test('a client that reaches no server fails with iperf3’s words', async (t) => {
  await withRun(async (run) => {
    const topo = await Topology.build(run, directPair());
    await t.rejects(
      runIperf3Client({
        netns: topo.netns('a'),
        bind: topo.address('a'),
        server: topo.address('b'),
        port: 5299,
        protocol: 'tcp',
        durationS: 1,
        omitS: 0,
        signal: run.signal,
      }),
      {
        code: 'E_IPERF3',
        iperf3Message: /unable to connect to server/,
        message: new RegExp(`-p 5299 .* in namespace ${topo.netns('a')}`),
      },
    );
  });
});

void t.test('a server that cannot listen, or is not ready in time, is stopped', async (t) => {
  const before = snapshot();
  let id = '';
  await withRun(async (run) => {
    id = run.id;
    const topo = await Topology.build(run, directPair());
    const netns = topo.netns('b');
    const address = topo.address('b');
    const pending = run.teardown.pending;
    await startIperf3Server(run, { netns, address, port: 5201 });
    await t.rejects(startIperf3Server(run, { netns, address, port: 5201 }), {
      code: 'E_IPERF3',
      message: /did not start: unable to start listener.*Address already in use: .*-p 5201 -B/,
      iperf3Message: /Address already in use/,
      hint: /its own port/,
      netns,
    });
    await t.rejects(startIperf3Server(run, { netns, address, port: 5202, readyTimeoutMs: 1 }), {
      code: 'E_COMMAND_TIMEOUT',
      message: /no "Server listening" within 1 ms/,
    });
    t.equal(run.teardown.pending, pending + 1, 'only the good server is left to the teardown');
    t.equal(pidsInNetns([netns]).get(netns)?.length, 1, 'and only it runs');
  });
  t.same(leaksOf(id, before), NO_LEAKS);
});

void t.test('a server deaf to SIGTERM is killed after the grace period', async (t) => {
  await withRun(async (run) => {
    const topo = await Topology.build(run, directPair());
    const server = await startIperf3Server(run, {
      netns: topo.netns('b'),
      address: topo.address('b'),
      port: 5201,
      stopGraceMs: 300,
    });
    // A stopped process does not act on SIGTERM; SIGKILL still ends it.
    process.kill(server.pid, 'SIGSTOP');
    await server.stop();
    t.same(iperf3Alive([server.pid]), [], 'gone all the same');
  });
});

void t.test('an abort in the middle of a measurement leaves no iperf3 behind', async (t) => {
  const before = snapshot();
  let id = '';
  const pids: number[] = [];
  const stop = new BondlabError('E_INTERRUPTED', 'stopped mid-measurement');
  await t.rejects(
    withRun(async (run) => {
      id = run.id;
      const topo = await Topology.build(run, directPair());
      const server = await startIperf3Server(run, {
        netns: topo.netns('b'),
        address: topo.address('b'),
        port: 5201,
      });
      pids.push(server.pid);
      const client = runIperf3Client({
        netns: topo.netns('a'),
        bind: topo.address('a'),
        server: topo.address('b'),
        port: 5201,
        protocol: 'tcp',
        durationS: 30,
        omitS: 0,
        signal: run.signal,
      });
      // Aborted once the client is sending (the server says it accepted it): ≤ 10 s.
      for (
        let i = 0;
        i < 500 && !server.lines().some((l) => l.startsWith('Accepted connection'));
        i++
      )
        await new Promise((resolve) => setTimeout(resolve, 20));
      pids.push(...(pidsInNetns([topo.netns('a')]).get(topo.netns('a')) ?? []));
      run.abort(stop);
      await client;
    }),
    stop,
  );
  t.ok(pids.length >= 2, 'a server and a client were running');
  t.same(iperf3Alive(pids), [], 'neither is left');
  t.same(leaksOf(id, before), NO_LEAKS);
});
