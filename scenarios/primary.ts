import { bondedPair, defineScenario } from '../harness/scenario/index.js';

/**
 * primary_reselect decides whether the bond returns to its primary when the primary comes back:
 * always; only if it is better (faster or full duplex: equal veths are not); or only when the
 * current active slave fails.
 */
export default defineScenario({
  name: 'primary-reselect',
  summary:
    'primary eth0 and primary_reselect always, better, failure: the failback behaviour of each',
  sweep: { primary_reselect: ['always', 'better', 'failure'] },
  build: ({ primary_reselect }) => ({
    topology: bondedPair({ mode: 'active-backup', miimon: 100, primary: 'eth0', primary_reselect }),
    measure: [{ kind: 'failover', fault: { kind: 'carrier-loss' }, faultMs: 800, afterMs: 800 }],
    expect: [
      primary_reselect === 'always'
        ? {
            metric: 'failover.failbacks',
            op: '==',
            value: 1,
            says: 'always: back to eth0 when it returns',
          }
        : {
            metric: 'failover.failbacks',
            op: '==',
            value: 0,
            says: `${primary_reselect}: stays on eth1 when eth0 returns`,
          },
    ],
  }),
});
