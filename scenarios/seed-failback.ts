import { bondedPair, defineScenario } from '../harness/scenario/index.js';

const MIIMON = 100;
/** Scheduling slack: a loaded machine, or a guest whose timers tick every 10 ms. */
const MARGIN = 100;

/** The seed deployment with `primary=eth0`: when eth0 comes back, the bond fails back to it. */
export default defineScenario({
  name: 'seed-failback',
  summary: 'the seed deployment with primary eth0: failover, then failback when eth0 returns',
  build: () => ({
    topology: bondedPair({ mode: 'active-backup', miimon: MIIMON, primary: 'eth0' }),
    measure: [{ kind: 'failover', fault: { kind: 'carrier-loss' }, faultMs: 1000, afterMs: 800 }],
    expect: [
      {
        metric: 'failover.detection',
        op: '<=',
        value: MIIMON + MARGIN,
        says: 'failover within miimon (+ margin)',
      },
      {
        metric: 'failover.failbacks',
        op: '==',
        value: 1,
        says: 'the bond fails back to its primary once',
      },
      {
        metric: 'failover.failback',
        op: '<=',
        value: MIIMON + MARGIN,
        says: "failback within miimon of eth0's return (+ margin)",
      },
    ],
  }),
});
