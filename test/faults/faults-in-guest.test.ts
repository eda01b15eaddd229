/**
 * The fault tests that need what this kernel lacks, in one User-mode Linux guest: bonding for
 * slave-down, uplink and lacp, netem for degrade. The same files, the host's files read-only, the
 * real drivers; one boot for all of them. Where this kernel has both, they run here directly.
 */
import { join } from 'node:path';
import t from 'tap';
import { hostHasBonding } from '../../harness/kernels/host.js';
import { runTestInUml } from '../fixtures/guest.js';
import { ensureBuilt, isolateState, leaks, ROOT, snapshot } from '../fixtures/host.js';
import { kernelHasNetem } from './observe.js';

isolateState(t);
/** Each file that needs the guest, and the titles of its tests that need it. */
const NEEDS_BONDING = {
  'slave-down': ['slave down: the bond fails over, the slave stays in, and comes back'],
  uplink: [
    'with miimon the bond sees nothing and the traffic is lost',
    'with the ARP monitor the bond fails over to eth1',
  ],
  lacp: [
    'lacp_rate fast: the port without LACPDUs leaves the aggregation',
    'lacp_rate slow: the same loss goes unnoticed for as long',
  ],
};
const NEEDS_NETEM = { degrade: ['delay, jitter, loss and rate are one netem'] };
const needed: Record<string, string[]> = {
  ...((await hostHasBonding()) ? {} : NEEDS_BONDING),
  ...((await kernelHasNetem()) ? {} : NEEDS_NETEM),
};
const files = Object.keys(needed).map((f) => join(ROOT, 'test', 'faults', `${f}.test.ts`));
const titles = Object.values(needed).flat();
const skip = files.length === 0 ? 'this kernel has bonding and netem: the tests run on it' : false;

void t.test('the fault tests pass inside User-mode Linux, nothing skipped', { skip }, async (t) => {
  ensureBuilt();
  const before = snapshot();
  const result = await runTestInUml(t, [join(ROOT, 'test', 'faults', 'suite.ts'), ...files], {
    env: {
      TAP_TIMEOUT: '240',
      // Only the tests that need the guest: the rest ran on the host already.
      TAP_GREP: `/^(${titles.map(escapeRegExp).join('|')})$/`,
    },
    timeoutMs: 420_000,
  });
  const lines = result.lines;
  const output = lines.join('\n');
  t.comment(lines.filter((l) => /^\s*# lacp_rate/.test(l)).join('\n'));
  t.equal(result.exitCode, 0, 'every file passes in the guest', { output: lines.slice(-60) });
  t.match(output, /^# \{ total: \d+, pass: \d+/m, 'the summary is there');
  for (const title of titles) {
    t.ok(
      output
        .split('\n')
        .some((l) => /^ok \d+ - /.test(l) && l.includes(title) && !l.includes('# SKIP')),
      `passed: ${title}`,
    );
  }
  t.notMatch(output, /^\s*not ok/m, 'no failure');
  // Skipped there: what the filter left out (it ran on the host), nothing for want of a driver.
  const skipped = output.split('\n').filter((l) => l.includes('# SKIP'));
  t.ok(
    skipped.every((l) => l.includes('# SKIP filter: ')),
    'nothing skipped for want of bonding or netem',
    { skipped },
  );
  t.same(leaks(before), { netns: [], links: [] }, 'nothing left on the host');
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
