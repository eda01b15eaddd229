/**
 * failover.test.ts inside User-mode Linux, on a host without bonding: the same file, the host's
 * files read-only, a real bonding driver.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { hostHasBonding } from '../../harness/kernels/host.js';
import { umlKernel } from '../../harness/kernels/uml/uml-kernel.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
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
    const share = mkdtempSync(join(tmpdir(), 'bondlab-failover-guest-'));
    t.teardown(() => {
      rmSync(share, { recursive: true, force: true });
    });
    const lines: string[] = [];
    const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const result = await withRun((r) =>
      umlKernel().run(
        r,
        {
          argv: [process.execPath, tsx, join(ROOT, 'test', 'measure', 'failover.test.ts')],
          cwd: ROOT,
          shareDir: share,
          // Run by tsx, not by the tap runner: tap's own 30 s default would apply.
          env: { TAP_TIMEOUT: '200' },
        },
        { onOutput: (l) => lines.push(l), timeoutMs: 240_000 },
      ),
    );
    const output = lines.join('\n');
    t.comment(lines.filter((l) => /^\s*# (detection|-?\d)/.test(l)).join('\n'));
    t.equal(result.exitCode, 0, 'the failover test passes in the guest', {
      output: lines.slice(-40),
    });
    t.notMatch(output, /# SKIP/, 'nothing skipped for want of bonding');
    t.notMatch(output, /^\s*not ok/m, 'no failure');
    t.match(output, /# detection \d/, 'the figures were printed');
  },
);
