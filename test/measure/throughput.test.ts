/**
 * measureThroughput for real, on host topologies: parallel TCP flows with the sender's counters,
 * UDP flows to distinct server addresses (IPv4 and IPv6), nothing left afterwards, and bad options
 * refused before anything starts.
 */
import t from 'tap';
import { spawnCount } from '../../harness/exec/run.js';
import { pidsInNetns } from '../../harness/lifecycle/netns.js';
import { parseNetnsName } from '../../harness/lifecycle/names.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import {
  EXTRA_ADDRESS_BASE,
  measureThroughput,
  type ThroughputOptions,
} from '../../harness/measure/throughput.js';
import { switchedPair } from '../../harness/topology/examples.js';
import { Topology } from '../../harness/topology/topology.js';
import { isolateState, leaks, snapshot, type HostSnapshot } from '../fixtures/host.js';

isolateState(t);

/** What run `id` left behind; other runs (another test process) may come and go meanwhile. */
function leaksOf(id: string, before: HostSnapshot): HostSnapshot {
  const l = leaks(before);
  return { netns: l.netns.filter((n) => parseNetnsName(n)?.runId === id), links: l.links };
}

const NO_LEAKS = { netns: [], links: [] };
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** Global addresses of a node's interfaces, `ifname address`. */
async function addresses(topo: Topology, node: string): Promise<string[]> {
  const { stdout } = await topo.exec(node, ['ip', '-j', 'address', 'show']);
  return (
    JSON.parse(stdout) as { ifname: string; addr_info: { local: string; scope: string }[] }[]
  ).flatMap((l) =>
    l.addr_info.filter((a) => a.scope === 'global').map((a) => `${l.ifname} ${a.local}`),
  );
}

/** Processes inside the topology's namespaces. */
function processesIn(topo: Topology): number[] {
  const names = ['client', 'server', 'sw'].map((n) => topo.netns(n));
  return [...pidsInNetns(names).values()].flat();
}

void t.test('two TCP flows on distinct ports, with the sender’s counters', async (t) => {
  const before = snapshot();
  let id = '';
  await withRun(async (run) => {
    id = run.id;
    const topo = await Topology.build(run, switchedPair());
    const pending = run.teardown.pending;
    const r = await measureThroughput(run, topo, {
      from: 'client',
      to: 'server',
      flows: 2,
      durationS: 2,
      omitS: 1,
      counters: ['eth0', 'eth1'],
    });
    t.match(r, {
      from: 'client',
      to: 'server',
      family: 4,
      protocol: 'tcp',
      durationS: 2,
      omitS: 1,
    });
    t.equal(r.bind, topo.address('client'));
    t.equal(r.udpBitsPerSecond, undefined);
    t.same(
      r.flows.map((f) => [f.server, f.port, f.clientPort]),
      [
        [topo.address('server'), 5201, 30001],
        [topo.address('server'), 5202, 30004],
      ],
      'one server port and one client port per flow, client ports 3 apart',
    );
    for (const f of r.flows) {
      t.same(
        f.result.connected.map((c) => [c.localPort, c.remotePort]),
        [[f.clientPort, f.port]],
        'each flow used its ports',
      );
      t.equal(f.result.intervals.length, 3, 'a warm-up second and two measured');
    }
    t.equal(r.aggregate.intervals.length, 3);
    t.ok(r.aggregate.totals.sent.bitsPerSecond > 0);
    t.equal(r.aggregate.totals.sent.bytes, sum(r.flows.map((f) => f.result.end.sent.bytes)));
    t.equal(
      r.aggregate.totals.retransmits,
      sum(r.flows.map((f) => f.result.end.retransmits ?? NaN)),
    );

    const delta = r.counters?.delta.interfaces;
    if (delta?.eth0 === undefined || delta.eth1 === undefined) throw new Error('no counters');
    t.ok(
      delta.eth0.txBytes >= r.aggregate.totals.received.bytes,
      `eth0 carried the flows: ${delta.eth0.txBytes} bytes sent, ${r.aggregate.totals.received.bytes} received after the warm-up`,
    );
    t.ok(delta.eth1.txBytes < delta.eth0.txBytes / 1000, 'eth1 next to nothing');
    t.equal(r.counters?.before.netns, topo.netns('client'));

    t.equal(run.teardown.pending, pending, 'servers stopped: nothing left for the teardown');
    t.same(processesIn(topo), [], 'no process left in the topology');
  });
  t.same(leaksOf(id, before), NO_LEAKS);
});

void t.test('UDP flows to distinct server addresses, IPv4 and IPv6', async (t) => {
  const before = snapshot();
  let id = '';
  await withRun(async (run) => {
    id = run.id;
    const topo = await Topology.build(run, switchedPair());
    const original = await addresses(topo, 'server');
    for (const family of [4, 6] as const) {
      const r = await measureThroughput(run, topo, {
        from: 'client',
        to: 'server',
        family,
        flows: 3,
        protocol: 'udp',
        udpBitrateMbit: 20,
        durationS: 1,
        distinctAddresses: true,
      });
      const own = topo.address('server', family);
      const extra = family === 4 ? ['198.18.0.201', '198.18.0.202'] : ['2001:2::c9', '2001:2::ca'];
      t.same(
        r.flows.map((f) => f.server),
        [own, ...extra],
        `IPv${family}: flow i ≥ 1 goes to host ${EXTRA_ADDRESS_BASE} + i of the server's network`,
      );
      t.same(
        r.flows.map((f) => f.result.connected[0]?.remoteHost),
        r.flows.map((f) => f.server),
      );
      t.equal(r.udpBitsPerSecond, 20e6);
      const udp = r.aggregate.totals.udp;
      t.ok(udp !== undefined && udp.packets > 0, 'datagrams were sent');
      t.ok((r.aggregate.receiverIntervals ?? []).length >= 1, 'the receivers reported loss');
      t.same(await addresses(topo, 'server'), original, `IPv${family}: extra addresses removed`);
    }
    t.same(processesIn(topo), []);
  });
  t.same(leaksOf(id, before), NO_LEAKS);
});

void t.test('bad options are refused before anything starts', async (t) => {
  const before = snapshot();
  let id = '';
  await withRun(async (run) => {
    id = run.id;
    const topo = await Topology.build(run, switchedPair());
    const ok: ThroughputOptions = { from: 'client', to: 'server' };
    const bad: [Record<string, unknown>, string, RegExp][] = [
      [{ flows: 0 }, 'flows', /from 1 to 16/],
      [{ flows: 17 }, 'flows', /from 1 to 16/],
      [{ flows: 1.5 }, 'flows', /integer/],
      [{ durationS: 0 }, 'durationS', /from 1 to 600 \(s\)/],
      [{ durationS: 601 }, 'durationS', /from 1 to 600/],
      [{ omitS: -1 }, 'omitS', /from 0 to 60/],
      [{ omitS: 61 }, 'omitS', /from 0 to 60/],
      [{ protocol: 'sctp' }, 'protocol', /"tcp" or "udp"/],
      [{ family: 5 }, 'family', /4 or 6/],
      [{ udpBitrateMbit: 10 }, 'udpBitrateMbit', /only for protocol "udp"/],
      [{ protocol: 'udp', udpBitrateMbit: 0 }, 'udpBitrateMbit', /0\.001 to 100000/],
      [{ from: 'ghost' }, 'from', /expected a host of the topology: client, server/],
      [{ to: 'client' }, 'to', /other than "from"/],
      [{ to: 'sw' }, 'to', /expected a host/],
      [{ counters: ['eth9'] }, 'counters[0]', /expected one of client's: lo, eth0, eth1/],
      [{ counters: [] }, 'counters', /a list/],
      [{ fromInterface: 'eth9' }, 'fromInterface', /addressed interface of client: eth0, eth1/],
      [{ toInterface: 3 }, 'toInterface', /addressed interface of server: eth0/],
      [{ distinctAddresses: 'maybe' }, 'distinctAddresses', /true or false/],
      [{ seconds: 3 }, 'options.seconds', /unknown field/],
    ];
    const spawned = spawnCount();
    const pending = run.teardown.pending;
    for (const [change, field, message] of bad) {
      await t.rejects(
        measureThroughput(run, topo, { ...ok, ...change }),
        { name: 'InputError', code: 'E_INPUT', field, message },
        `${JSON.stringify(change)} is refused`,
      );
    }
    t.equal(spawnCount(), spawned, 'no process was started');
    t.equal(run.teardown.pending, pending, 'nothing was registered');
    t.same(processesIn(topo), []);
  });
  t.same(leaksOf(id, before), NO_LEAKS);
});
