/**
 * Kill anywhere: 32 kills (at least 30 must land while the run works) of real bondlab workloads with SIGINT, SIGTERM and SIGKILL, spread over
 * setup, measurement and teardown, on the host's topology path (calibrate; iperf3 over a shaped
 * bridge) and with User-mode Linux guests (a failover; iperf3 then a failover). After SIGINT and
 * SIGTERM nothing may be left at once; after SIGKILL, nothing once `bondlab clean` has run. The
 * schedule is seeded (BONDLAB_KILL_SEED replays one); `npm run bench:kill` prints the same figures
 * with more kills.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ensureBuilt } from '../fixtures/host.js';
import {
  describe,
  isEmpty,
  killOnce,
  planKills,
  PHASES,
  SIGNALS,
  type KillOutcome,
} from './kill-anywhere.js';

ensureBuilt();
t.setTimeout(1_500_000);

const seed = Number(process.env.BONDLAB_KILL_SEED ?? Date.now() % 1_000_000);
const root = mkdtempSync(join(tmpdir(), 'bondlab-kill-'));
t.teardown(() => {
  rmSync(root, { recursive: true, force: true });
});

void t.test(
  'at least 30 kills anywhere, on the host path and in User-mode Linux: nothing left',
  async (t) => {
    t.comment(`seed ${seed} (BONDLAB_KILL_SEED=${seed} replays this schedule)`);
    const plan = [...planKills(18, ['host'], seed), ...planKills(14, ['uml'], seed + 1)];
    const outcomes: KillOutcome[] = [];
    for (const [i, kill] of plan.entries()) {
      // A kill that lands after the workload finished is no kill: try again, earlier, then at once.
      let o = await killOnce(kill, join(root, String(i)));
      for (const [retry, factor] of [0.3, 0].entries()) {
        if (o.killed) break;
        o = await killOnce(
          { ...kill, delayMs: Math.round(kill.delayMs * factor) },
          join(root, `${i}-${retry}`),
        );
      }
      outcomes.push(o);
      t.comment(
        `${i + 1}. ${o.signal} ${o.path} ${o.workload}, ` +
          `${o.killed ? (o.phase ?? 'before any phase') : 'ended before the signal'} ` +
          `(+${o.delayMs} ms into ${o.target}): exit ${o.exit.code ?? o.exit.signal}; ` +
          `left at once: ${describe(o.leftAtOnce)}` +
          (o.signal === 'SIGKILL'
            ? `; after clean (exit ${o.cleanExit}): ${describe(o.leaks)}`
            : ''),
      );
      t.ok(isEmpty(o.leaks), `${i + 1}: ${o.signal} in ${o.phase}: nothing left`, {
        leaks: o.leaks,
        stderr: o.stderrTail,
      });
      if (o.signal !== 'SIGKILL' && o.killed) {
        // 130/143 from bondlab's own handling, or death by the signal itself when it landed
        // after the run's handlers were gone (its teardown done): a shell reads both the same.
        const status = o.signal === 'SIGINT' ? 130 : 143;
        t.ok(
          o.exit.code === status || o.exit.signal === o.signal,
          `${i + 1}: the exit says ${o.signal} (${o.exit.code ?? o.exit.signal})`,
          { stderr: o.stderrTail },
        );
      }
      if (o.signal === 'SIGKILL') t.equal(o.cleanExit, 0, `${i + 1}: bondlab clean succeeds`);
    }
    const kills = outcomes.filter((o) => o.killed);
    const leaks = outcomes.filter((o) => !isEmpty(o.leaks));
    t.ok(kills.length >= 30, `at least 30 kills (${kills.length})`);
    for (const path of ['host', 'uml'] as const) {
      for (const signal of SIGNALS) {
        for (const phase of PHASES) {
          t.ok(
            kills.some((o) => o.path === path && o.signal === signal && o.phase === phase),
            `${path}: ${signal} landed in ${phase}`,
          );
        }
      }
    }
    t.comment(`${kills.length} kills, ${leaks.length} leaks`);
  },
);
