/**
 * failover.test.ts inside User-mode Linux, on a host without bonding: the same file, the host's
 * files read-only, a real bonding driver.
 */
import { join } from 'node:path';
import t from 'tap';
import { hostHasBonding } from '../../harness/kernels/host.js';
import { runTestInUml } from '../fixtures/guest.js';
import { ensureBuilt, isolateState, ROOT } from '../fixtures/host.js';

isolateState(t);
const skip = (await hostHasBonding())
  ? 'this kernel has bonding: failover.test.ts runs on it directly'
  : false;

void t.test(
  'failover.test.ts passes inside User-mode Linux, nothing skipped',
  { skip },
  async (t) => {
    ensureBuilt();
    const result = await runTestInUml(t, [join(ROOT, 'test', 'measure', 'failover.test.ts')]);
    const lines = result.lines;
    const output = lines.join('\n');
    t.comment(lines.filter((l) => /^\s*# (detection|arrivals|-?\d)/.test(l)).join('\n'));
    t.equal(result.exitCode, 0, 'the failover test passes in the guest', {
      output: lines.slice(-40),
    });
    t.notMatch(output, /# SKIP/, 'nothing skipped for want of bonding');
    t.notMatch(output, /^\s*not ok/m, 'no failure');
    t.match(output, /# detection \d/, 'the figures were printed');
    t.match(
      output,
      /^\s*ok \d+ - aToB: probes lost after the fault$/m,
      'the arrivals show the outage (checked in the guest)',
    );
    t.match(output, /^\s*ok \d+ - bToA: none lost well before it/m);
    t.match(output, /# arrivals aToB: \d+ probes from -\d/, 'and were printed');
  },
);
