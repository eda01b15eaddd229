/**
 * Interface counters for real: read in one process, and the delta shows traffic on the interface
 * it went through.
 */
import t from 'tap';
import { spawnCount } from '../../harness/exec/run.js';
import { parseNetnsName } from '../../harness/lifecycle/names.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { counterDelta, readCounters } from '../../harness/measure/counters.js';
import { runIperf3Client, startIperf3Server } from '../../harness/measure/iperf3.js';
import { switchedPair } from '../../harness/topology/examples.js';
import { Topology } from '../../harness/topology/topology.js';
import { isolateState, leaks, snapshot, type HostSnapshot } from '../fixtures/host.js';

isolateState(t);

/** What run `id` left behind; other runs (another test process) may come and go meanwhile. */
function leaksOf(id: string, before: HostSnapshot): HostSnapshot {
  const l = leaks(before);
  return { netns: l.netns.filter((n) => parseNetnsName(n)?.runId === id), links: l.links };
}

void t.test('counters before and after a transfer show where it went', async (t) => {
  const before = snapshot();
  let id = '';
  await withRun(async (run) => {
    id = run.id;
    const topo = await Topology.build(run, switchedPair());
    const ns = topo.netns('client');
    await startIperf3Server(run, {
      netns: topo.netns('server'),
      address: topo.address('server'),
      port: 5201,
    });
    const spawned = spawnCount();
    const first = await readCounters(ns, ['lo', 'eth0', 'eth1'], { signal: run.signal });
    t.equal(spawnCount() - spawned, 1, 'one process for all interfaces');
    t.same(Object.keys(first.interfaces), ['lo', 'eth0', 'eth1']);
    t.equal(first.netns, ns);

    // The client's route to the server's /24 leaves by eth0 (its first address there).
    const sent = await runIperf3Client({
      netns: ns,
      bind: topo.address('client', 4, 'eth0'),
      server: topo.address('server'),
      port: 5201,
      protocol: 'tcp',
      durationS: 1,
      omitS: 0,
      signal: run.signal,
    });
    const second = await readCounters(ns, ['lo', 'eth0', 'eth1'], { signal: run.signal });
    const delta = counterDelta(first, second);
    const { eth0, eth1, lo } = delta.interfaces;
    if (eth0 === undefined || eth1 === undefined || lo === undefined) throw new Error('missing');
    // What the server received crossed eth0 (with headers); what iperf3 wrote may not all have.
    t.ok(
      eth0.txBytes >= sent.end.received.bytes,
      `eth0 sent ${eth0.txBytes} bytes, at least the ${sent.end.received.bytes} of payload received`,
    );
    t.ok(eth0.txPackets > 0 && eth0.rxPackets > 0, 'data out, acknowledgements in');
    t.ok(eth1.txBytes < eth0.txBytes / 1000, 'eth1 carried next to nothing');
    t.equal(lo.txBytes, 0, 'nothing over loopback');
    t.ok(eth0.txShare > 0.99, 'eth0’s share of the bytes sent');
    t.ok(Math.abs(eth0.txShare + eth1.txShare + lo.txShare - 1) < 1e-9, 'shares add up');
    t.ok(delta.elapsedMs > 0);
    t.equal(eth0.txErrors, 0);

    const all = await readCounters(topo.netns('server'));
    t.same(Object.keys(all.interfaces), ['lo', 'eth0'], 'every interface when none is named');
    t.ok((all.interfaces.eth0?.rxBytes ?? 0) >= sent.end.received.bytes, 'the server received');

    await t.rejects(readCounters(ns, ['eth0', 'eth9']), {
      code: 'E_INPUT',
      field: 'ifnames',
      value: 'eth9',
      message: /expected an interface of .*: lo, eth0, eth1/,
    });
    t.throws(() => counterDelta(first, all), { code: 'E_INPUT', field: 'after' });
  });
  t.same(leaksOf(id, before), { netns: [], links: [] });
});
