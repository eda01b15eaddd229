import { defineScenario, lacpPair } from '../harness/scenario/index.js';

const FAULT_MS = 5000;

/**
 * 802.3ad when LACPDUs stop on one link while data still flows (a switch that lost its LACP
 * state, a filter): with lacp_rate fast the partner sends every second and times out after 3 s,
 * so the link leaves the aggregator; with slow, every 30 s and 90 s, far beyond this window.
 */
export default defineScenario({
  name: 'lacp-rate',
  summary: '802.3ad, LACPDUs lost on one link: lacp_rate fast drops it in about 3 s, slow keeps it',
  sweep: { lacp_rate: ['fast', 'slow'] },
  build: ({ lacp_rate }) => ({
    topology: lacpPair({ mode: '802.3ad', miimon: 100, lacp_rate }),
    measure: [
      {
        kind: 'failover',
        // The client's LACPDUs stop at swa:p1: the server's eth0 stops hearing its partner, so
        // the server's bond is the one watched.
        host: 'server',
        peer: 'client',
        fault: { kind: 'lacpdu-loss', switch: 'swa', port: 'p1' },
        beforeMs: 500,
        faultMs: FAULT_MS,
        afterMs: 0,
      },
    ],
    expect:
      lacp_rate === 'fast'
        ? [
            {
              metric: 'failover.slaves-out',
              op: '>=',
              value: 1,
              says: 'fast: the link leaves the aggregator',
            },
            {
              metric: 'failover.slave-inactive',
              op: '<=',
              value: 4000,
              says: 'within the 3 s LACP timeout (+1 s)',
            },
          ]
        : [
            {
              metric: 'failover.slaves-out',
              op: '==',
              value: 0,
              says: `slow: the link stays in the aggregator for the whole ${FAULT_MS / 1000} s (its timeout is 90 s)`,
            },
          ],
  }),
});
