import { bondedPair, defineScenario } from '../harness/scenario/index.js';

/**
 * balance-rr sends packet after packet on alternate slaves; when the slaves' paths differ in delay
 * (here eth1 gets 2 ms more, through netem), packets overtake each other. packets_per_slave sends
 * that many in a row on one slave before moving on, which leaves fewer places to overtake.
 */
export default defineScenario({
  name: 'rr-reordering',
  summary: 'balance-rr with one slave 2 ms slower: reordering as packets_per_slave changes',
  sweep: { packets_per_slave: [1, 64] },
  build: ({ packets_per_slave }) => ({
    topology: bondedPair({ mode: 'balance-rr', miimon: 100, packets_per_slave }),
    measure: [
      {
        kind: 'failover',
        id: 'probe',
        fault: { kind: 'degrade', node: 'client', ifname: 'eth1', delayMs: 2 },
        beforeMs: 200,
        faultMs: 2000,
        afterMs: 0,
      },
    ],
    expect:
      packets_per_slave === 1
        ? [
            {
              metric: 'probe.reordered',
              op: '>=',
              value: 200,
              says: 'every other probe is overtaken',
            },
          ]
        : [
            {
              metric: 'probe.reordered',
              op: '<=',
              value: 200,
              says: 'overtaking only where the bond changes slave',
            },
          ],
  }),
});
