import { bondedPair, defineScenario, shapeLinksOf } from '../harness/scenario/index.js';

/** Each slave shaped to R, so that aggregation shows (veth alone is CPU-bound). */
const R = 100;
const MIIMON = 100;
/** Scheduling slack: a loaded machine, or a guest whose timers tick every 10 ms. */
const MARGIN = 100;

export default defineScenario({
  name: 'modes',
  summary: `every mode, 0-6: throughput over slaves shaped to ${R} Mbit/s, then failover on carrier loss`,
  sweep: { mode: [0, 1, 2, 3, 4, 5, 6] },
  build: ({ mode }) => ({
    topology: shapeLinksOf(bondedPair({ mode, miimon: MIIMON }), 'client', R),
    measure: [
      { kind: 'throughput', flows: 4, durationS: 2, omitS: 1 },
      { kind: 'failover', fault: { kind: 'carrier-loss' }, faultMs: 1000, afterMs: 500 },
    ],
    expect: [
      {
        metric: 'failover.slave-down',
        op: '<=',
        value: MIIMON + MARGIN,
        says: `miimon ${MIIMON} declares the slave down within one period (+${MARGIN} ms)`,
      },
      ...(mode === 3
        ? [
            {
              metric: 'failover.lost',
              op: '==' as const,
              value: 0,
              says: 'broadcast loses no probe',
            },
          ]
        : []),
      ...(mode === 0
        ? [
            {
              metric: 'throughput.mbit',
              op: '>=' as const,
              value: 1.6 * R,
              says: 'balance-rr aggregates both slaves (about 2R)',
            },
          ]
        : []),
      ...(mode === 1
        ? [
            {
              metric: 'throughput.busiest-slave-share',
              op: '>=' as const,
              value: 99,
              says: 'active-backup carries everything on one slave',
            },
          ]
        : []),
    ],
  }),
});
