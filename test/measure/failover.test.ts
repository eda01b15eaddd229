/**
 * A real failover, measured: active-backup with miimon 100 loses carrier on its active slave.
 * Needs a kernel with bonding; on one without, failover-in-guest.test.ts runs this file inside
 * User-mode Linux.
 */
import t from 'tap';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { measureFailover } from '../../harness/measure/failover.js';
import type { ArrivalSeries } from '../../harness/measure/series.js';
import { bondedPair } from '../../harness/topology/examples.js';
import { Topology } from '../../harness/topology/topology.js';
import { bondingSkipReason, isolateState, leaks, snapshot } from '../fixtures/host.js';
import { pidsWhere } from '../fixtures/processes.js';

isolateState(t);
const skip = await bondingSkipReason();

void t.test('active-backup, miimon 100: carrier loss on the active slave', { skip }, async (t) => {
  const before = snapshot();
  const r = await withRun(async (run) => {
    const topo = await Topology.build(run, bondedPair({ mode: 'active-backup', miimon: 100 }));
    return measureFailover(run, topo, {
      peer: 'server',
      beforeMs: 500,
      faultMs: 1500,
      afterMs: 1000,
    });
  });
  t.comment(
    `detection ${r.detectionMs} ms, slave down ${r.slaveDownMs} ms, outage ${r.outageMs} ms ` +
      `(a→b ${r.failover.aToB.outage?.outageMs} ± ${r.failover.aToB.outage?.uncertaintyMs}, ` +
      `b→a ${r.failover.bToA.outage?.outageMs} ± ${r.failover.bToA.outage?.uncertaintyMs}), ` +
      `lost ${r.failover.lost}, tick ${r.resolution.sleep1msMs} ms, kernel ${r.kernelRelease}`,
  );
  t.comment(r.events.map((e) => `${e.sinceFaultMs} ms ${e.ifname} ${e.kind}`).join('; '));
  t.not(r.activeBefore, undefined, 'there was an active slave');
  t.not(r.activeAfter, r.activeBefore, 'another slave took over');
  t.equal(r.fault.target, `client:${r.activeBefore ?? ''}`, 'the fault hit the active slave');
  const kinds = r.events.map((e) => `${e.ifname} ${e.kind}`);
  t.ok(kinds.includes(`${r.activeBefore ?? ''} carrier-down`), 'the kernel saw the carrier go');
  t.ok(kinds.includes('bond0 failover'), 'the BONDING FAILOVER event was recorded');
  // miimon polls every 100 ms, so on a quiet machine detection takes one period plus a few timer
  // ticks. How close it comes is the seed-failover scenario's expectation (miimon + margin), judged
  // per run and timed by `npm run bench:catalog`, not a unit test's: a loaded CI machine once
  // stretched it to 807 ms. What must hold here is that the kernel detected the loss in time to
  // fail over while the fault lasted.
  t.ok(
    r.detectionMs !== undefined && r.detectionMs >= 0 && r.detectionMs < 1500,
    `detection ${r.detectionMs} ms: after the fault, within it (1500 ms)`,
  );
  t.ok(r.failover.lost > 0, 'probes were lost');
  t.ok(r.outageMs > 0, 'the probe saw a gap');
  t.ok(r.failback !== undefined, 'the failback was probed too');
  for (const [name, s] of Object.entries(r.arrivals) as [string, ArrivalSeries][]) {
    const outage = (name === 'aToB' ? r.failover.aToB : r.failover.bToA).outage;
    const lost = s.sentMs.filter((_, i) => s.delayMs[i] === null);
    const omittedLost = (s.omitted ?? []).reduce((sum, o) => sum + o.lost, 0);
    t.comment(
      `arrivals ${name}: ${s.sentMs.length} probes from ${s.sentMs[0]} to ${s.sentMs.at(-1)} ms, ` +
        `${lost.length} lost shown (+${omittedLost} left out), truncated ${s.truncated}, ` +
        `${JSON.stringify(s).length} bytes`,
    );
    t.equal(s.delayMs.length, s.sentMs.length);
    t.ok((s.sentMs[0] ?? -1) >= -200 && (s.sentMs[0] ?? 0) < 0, `${name} from before the fault`);
    t.ok(
      lost.some((x) => x >= 0),
      `${name}: probes lost after the fault`,
    );
    t.notOk(
      lost.some((x) => x < -100),
      `${name}: none lost well before it (${lost.filter((x) => x < 0).join(', ') || 'none before'})`,
    );
    t.ok(
      lost.length + omittedLost >= (outage?.lost ?? 1),
      `${name}: the outage's ${outage?.lost} lost probes are all there (shown or counted)`,
    );
    t.ok(
      s.sentMs.some((x, i) => x >= 0 && s.delayMs[i] === null && s.delayMs[i + 1] !== null),
      `${name}: the recovery (last lost, then an arrival) is shown`,
    );
  }
  t.ok(r.resolution.sleep1msMs > 0, 'the timer resolution is recorded');
  t.same(leaks(before), { netns: [], links: [] });
  t.same(
    pidsWhere((argv) => argv.some((a) => a.includes('probe-agent') || a === 'monitor')),
    [],
    'no agent or monitor left',
  );
});
