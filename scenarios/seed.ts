import { bondedPair, defineScenario } from '../harness/scenario/index.js';

const MIIMON = 100;
/** Scheduling slack: a loaded machine, or a guest whose timers tick every 10 ms. */
const MARGIN = 100;

/**
 * The deployment that started bondlab: two NICs in active-backup with miimon=100 (RHEL's
 * ifcfg-bond0 with `options bond0 miimon=100 mode=1`). Without a primary, the bond fails over and
 * stays: the failed NIC's return changes nothing; so it fails over both ways, one after the other.
 */
export default defineScenario({
  name: 'seed-failover',
  summary:
    'the seed deployment, active-backup miimon 100: failover both ways, no failback without a primary',
  build: () => ({
    topology: bondedPair({ mode: 'active-backup', miimon: MIIMON }),
    measure: [
      { kind: 'failover', fault: { kind: 'carrier-loss' }, faultMs: 1000, afterMs: 600 },
      {
        kind: 'failover',
        id: 'failover-back',
        fault: { kind: 'carrier-loss' },
        faultMs: 1000,
        afterMs: 600,
      },
    ],
    expect: [
      {
        metric: 'failover.detection',
        op: '<=',
        value: MIIMON + MARGIN,
        says: 'eth0 → eth1 within miimon (+ margin)',
      },
      {
        metric: 'failover-back.detection',
        op: '<=',
        value: MIIMON + MARGIN,
        says: 'eth1 → eth0 within miimon (+ margin)',
      },
      {
        metric: 'failover.failbacks',
        op: '==',
        value: 0,
        says: "without a primary, the failed NIC's return causes no failback",
      },
    ],
  }),
});
