/**
 * Calibration on this host's veth and bridge: outages of known length, measured by the real probe.
 * The bounds are loose on purpose (a noisy shared machine); `bondlab calibrate` and
 * bench/calibration.ts report the real error against the 2 ms target.
 */
import t from 'tap';
import { InputError } from '../../harness/errors.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { calibrate, validateCalibration } from '../../harness/measure/calibrate.js';
import { isolateState, leaks, snapshot } from '../fixtures/host.js';
import { pidsWhere } from '../fixtures/processes.js';

isolateState(t);

void t.test('injected outages are measured close to their length, both ways', async (t) => {
  const before = snapshot();
  const result = await withRun((run) => calibrate(run, { outagesMs: [30, 120], repeat: 2 }));
  t.equal(result.samples.length, 4, 'two lengths, twice');
  for (const s of result.samples) {
    const slack = Math.max(10, s.injectedMs * 0.2);
    t.ok(s.injectedMs >= s.requestedMs, `${s.requestedMs} ms asked, ${s.injectedMs} ms injected`);
    for (const [way, measured] of Object.entries(s.measuredMs)) {
      t.ok(
        measured !== undefined && Math.abs(measured - s.injectedMs) <= slack,
        `${way}: ${measured} ms measured for ${s.injectedMs} ms injected`,
      );
    }
    t.ok(s.lost > 0, 'probes were lost in the outage');
  }
  t.equal(result.rate, 1000, 'default 1000 probes/s');
  t.ok(result.achievedIntervalMs > 0, 'the achieved interval is recorded');
  t.ok(result.resolution.sleep1msMs > 0, 'and the timer resolution');
  t.equal(result.errors.length, 2, 'an error summary per length');
  t.ok(result.toleranceMs >= 2, 'the target is max(2 ms, 2 intervals)');
  t.same(leaks(before), { netns: [], links: [] }, 'nothing left behind');
  t.same(
    pidsWhere((argv) => argv.some((a) => a.includes('probe-agent'))),
    [],
    'no probe agent left',
  );
});

void t.test('bad calibration options are refused before anything is built', async (t) => {
  for (const [options, field] of [
    [{ outagesMs: [] }, 'outages'],
    [{ outagesMs: [0] }, 'outages[0]'],
    [{ outagesMs: [20, 99_999] }, 'outages[1]'],
    [{ repeat: 0 }, 'repeat'],
    [{ repeat: 1.5 }, 'repeat'],
    [{ probe: { rate: 0 } }, 'probe.rate'],
    [{ probe: { rate: 1e9 } }, 'probe.rate'],
  ] as const) {
    t.throws(() => validateCalibration(options), InputError, JSON.stringify(options));
    try {
      validateCalibration(options);
    } catch (error) {
      t.equal((error as InputError).field, field);
    }
  }
});
