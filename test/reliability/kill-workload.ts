/**
 * A host workload for the kill-anywhere test: what `bondlab run` does to one case (build,
 * measure, tear down), on a topology this kernel can build without bonding. Two hosts on a bridge,
 * the client's first link shaped by tbf (a qdisc to leak), two iperf3 flows with the sender's
 * counters sampled (servers, clients and a namespace keeper to leak), the harness's own signal
 * handling and exit statuses (130 SIGINT, 143 SIGTERM). Phases are logged on stderr the way the
 * CLI logs them: "topology: ...", "throughput: ...", "teardown: ...".
 *
 * Run: node --import tsx test/reliability/kill-workload.ts
 */
import { BondlabError, formatError } from '../../harness/errors.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { measureThroughput } from '../../harness/measure/throughput.js';
import { switchedPair } from '../../harness/topology/examples.js';
import { Topology } from '../../harness/topology/topology.js';

const spec = switchedPair();
const [first] = spec.links;
if (first !== undefined) first.shape = { a: { kind: 'tbf', rateMbit: 50 } };

try {
  await withRun(
    async (run) => {
      const topology = await Topology.build(run, spec);
      await measureThroughput(run, topology, {
        from: 'client',
        to: 'server',
        flows: 2,
        durationS: 2,
        omitS: 1,
        counters: ['eth0', 'eth1'],
      });
    },
    {
      log: (line) => process.stderr.write(`${line}\n`),
      handleSignals: true,
    },
  );
} catch (error) {
  process.stderr.write(`kill-workload: ${formatError(error)}\n`);
  process.exitCode = error instanceof BondlabError ? error.exitStatus : 1;
}
