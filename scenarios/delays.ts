import { bondedPair, defineScenario } from '../harness/scenario/index.js';

const MIIMON = 100;
/** Scheduling slack: a loaded machine, or a guest whose timers tick every 10 ms. */
const MARGIN = 100;

/**
 * downdelay holds a failed slave in service before it is declared down; updelay keeps a returning
 * one out until it has been up that long. Both are multiples of miimon. With primary eth0, the
 * failback waits for updelay.
 */
export default defineScenario({
  name: 'delays',
  summary:
    'updelay and downdelay: what they add to failover and failback (miimon 100, primary eth0)',
  sweep: { downdelay: [0, 200], updelay: [0, 300] },
  build: ({ downdelay, updelay }) => ({
    topology: bondedPair({
      mode: 'active-backup',
      miimon: MIIMON,
      primary: 'eth0',
      downdelay,
      updelay,
    }),
    measure: [{ kind: 'failover', fault: { kind: 'carrier-loss' }, faultMs: 1000, afterMs: 1000 }],
    expect: [
      {
        metric: 'failover.slave-down',
        op: '>=',
        value: downdelay,
        says: `the slave is kept ${downdelay} ms (downdelay)`,
      },
      {
        metric: 'failover.slave-down',
        op: '<=',
        value: downdelay + MIIMON + MARGIN,
        says: 'and declared down within one more miimon period',
      },
      {
        metric: 'failover.slave-up',
        op: '>=',
        value: updelay,
        says: `a returning slave waits ${updelay} ms (updelay)`,
      },
      {
        metric: 'failover.slave-up',
        op: '<=',
        value: updelay + MIIMON + MARGIN,
        says: 'and is up within one more miimon period',
      },
    ],
  }),
});
