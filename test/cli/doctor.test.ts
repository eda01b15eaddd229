/**
 * `bondlab doctor` on this machine. The CLI runs from dist/, built here when missing or older than
 * the sources.
 */
import t from 'tap';
import type { Check } from '../../harness/doctor/checks.js';
import {
  bondingSkipReason,
  cli,
  ensureBuilt,
  isolateState,
  leaks,
  snapshot,
} from '../fixtures/host.js';

ensureBuilt();
isolateState(t);
const noBonding = await bondingSkipReason();

void t.test('doctor --json reports every check, and bonding as this kernel has it', async (t) => {
  const before = snapshot();
  const res = await cli(t, ['doctor', '--json']);
  const report = JSON.parse(res.stdout) as { canProceed: boolean; checks: Check[] };
  t.equal(res.code, report.canProceed ? 0 : 2, 'exit 0 when a run can proceed, else 2');
  const byName = new Map(report.checks.map((c) => [c.name, c]));
  for (const name of ['privileges', 'ip', 'ping', 'netns', 'veth', 'bridge', 'tc tbf']) {
    t.match(byName.get(name), { status: 'ok' }, `${name} is ok here`);
  }
  for (const c of report.checks) {
    t.ok(['ok', 'missing', 'info'].includes(c.status), `${c.name}: a known status`);
    if (c.status === 'missing') t.type(c.fix, 'string', `${c.name}: a fix is given`);
  }
  const bonding = byName.get('bonding');
  if (noBonding === false) {
    t.match(bonding, { status: 'ok', required: false });
  } else {
    t.match(bonding, {
      status: 'missing',
      required: false,
      detail: /Unknown device type/,
      fix: /has no bonding driver: try `modprobe bonding`; otherwise .*--kernel uml/,
    });
  }
  t.same(leaks(before), { netns: [], links: [] }, 'the throwaway namespace is gone');
});

void t.test('doctor prints a fix line under each missing check', async (t) => {
  const res = await cli(t, ['doctor']);
  t.match(res.stdout, /^ok {3}privileges/m);
  if (noBonding !== false) {
    // Not required (a guest kernel has it), so a warning rather than a MISS.
    t.match(res.stdout, /^warn bonding +Error: Unknown device type\.\n +fix: this kernel/m);
  }
  t.match(
    res.stdout,
    /\nbondlab (can run here\.|cannot run here yet: fix the MISS lines above\.)\n$/,
  );
});
