/**
 * The bond tests where they can run: on a host without bonding, bond.test.ts runs inside User-mode
 * Linux (the same file, the host's files read-only, a real bonding driver), and so does the CLI's
 * `up bonded` through `--kernel uml`. On a host with bonding, bond.test.ts runs here already.
 */
import { join } from 'node:path';
import t from 'tap';
import { hostHasBonding } from '../../harness/kernels/host.js';
import { runTestInUml } from '../fixtures/guest.js';
import { cli, ensureBuilt, isolateState, leaks, ROOT, snapshot } from '../fixtures/host.js';

isolateState(t);
const skip = (await hostHasBonding())
  ? 'this kernel has bonding: bond.test.ts runs on it directly'
  : false;

void t.test('bond.test.ts passes inside User-mode Linux, nothing skipped', { skip }, async (t) => {
  const result = await runTestInUml(t, [join(ROOT, 'test', 'topology', 'bond.test.ts')]);
  const lines = result.lines;
  const output = lines.join('\n');
  t.equal(result.exitCode, 0, 'the bond tests pass in the guest', { output: lines.slice(-30) });
  t.match(result.kernelRelease, /^\d+\.\d+/, 'the guest reports its kernel');
  // Only the test of the refusal on a kernel without bonding may skip there.
  const skipped = output.split('\n').filter((l) => l.includes('# SKIP'));
  t.ok(
    skipped.length > 0 && skipped.every((l) => l.includes('has a bonding driver')),
    'no bond test skipped for want of bonding',
    { skipped },
  );
  t.match(output, /^# \{ total: \d+, pass: \d+/m, 'the summary is there');
  t.notMatch(output, /^not ok/m, 'no failure');
});

void t.test('bondlab up bonded --kernel uml builds the bond in the guest', { skip }, async (t) => {
  ensureBuilt();
  const before = snapshot();
  const res = await cli(t, ['up', 'bonded', '--kernel', 'uml']);
  t.equal(res.code, 0, 'exit 0', { stderr: res.stderr.slice(-2000) });
  t.match(res.stderr, /kernel: uml /, 'the choice is printed');
  t.match(
    res.stdout,
    /bond client:bond0: mode active-backup 1, active eth\d/,
    'the bond has an active slave',
  );
  t.match(res.stdout, /miimon requested 100, kernel 100/, 'the option read back from sysfs');
  t.same(leaks(before), { netns: [], links: [] }, 'nothing left on the host');
});
