/**
 * Kill-anywhere figures: real bondlab workloads killed with SIGINT, SIGTERM and SIGKILL in setup,
 * measurement and teardown, on the host's topology path and in User-mode Linux, and what each left
 * behind (namespaces, initial-namespace links and qdiscs, processes, temporary files, run records):
 * at once after SIGINT and SIGTERM, after `bondlab clean` after SIGKILL. Prints a line per kill, a
 * table by path, signal and phase, and "N kills, M leaks". The test
 * (test/reliability/kill-anywhere.test.ts) runs 30 and asserts no leak.
 *
 * Run: npm run bench:kill -- [--kills 30] [--paths host,uml] [--seed N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../test/fixtures/host.js';
import {
  describe,
  isEmpty,
  killOnce,
  planKills,
  PHASES,
  SIGNALS,
  type KillOutcome,
  type Workload,
} from '../test/reliability/kill-anywhere.js';
import { intArg } from './lib/stats.js';

ensureBuilt();
const kills = intArg('kills', 30);
const seed = intArg('seed', Date.now() % 1_000_000);
const at = process.argv.indexOf('--paths');
const paths = (at === -1 ? 'host,uml' : (process.argv[at + 1] ?? '')).split(',');
if (!paths.every((p): p is Workload['path'] => p === 'host' || p === 'uml')) {
  console.error(`--paths: expected host, uml or host,uml, got ${paths.join(',')}`);
  process.exit(2);
}
// Split like the test: three fifths of the kills on the host, the rest in guests.
const hostKills = paths.includes('uml')
  ? paths.includes('host')
    ? Math.round((kills * 3) / 5)
    : 0
  : kills;
const plan = [
  ...planKills(hostKills, ['host'], seed),
  ...planKills(kills - hostKills, ['uml'], seed + 1),
].filter((k) => paths.includes(k.workload.path));
const root = mkdtempSync(join(tmpdir(), 'bondlab-bench-kill-'));
const outcomes: KillOutcome[] = [];
const started = performance.now();
try {
  console.log(`kill-anywhere benchmark: ${plan.length} kills, seed ${seed}`);
  for (const [i, kill] of plan.entries()) {
    const o = await killOnce(kill, join(root, String(i)));
    outcomes.push(o);
    console.log(
      `  ${String(i + 1).padStart(3)} ${o.signal.padEnd(7)} ${o.path.padEnd(4)} ${(o.killed ? (o.phase ?? 'start') : 'ended first').padEnd(11)} ` +
        `exit ${String(o.exit.code ?? o.exit.signal).padEnd(7)} left at once: ${describe(o.leftAtOnce)}` +
        (o.signal === 'SIGKILL' ? `; after clean: ${describe(o.leaks)}` : ''),
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
const killed = outcomes.filter((o) => o.killed);
console.log('  kills by path, signal and phase (leaks):');
for (const path of paths) {
  for (const signal of SIGNALS) {
    const cells = PHASES.map((phase) => {
      const of = killed.filter((o) => o.path === path && o.signal === signal && o.phase === phase);
      return `${phase} ${of.length} (${of.filter((o) => !isEmpty(o.leaks)).length})`;
    });
    console.log(`    ${path.padEnd(4)} ${signal.padEnd(7)} ${cells.join('  ')}`);
  }
}
const leaks = outcomes.filter((o) => !isEmpty(o.leaks)).length;
const leftByKill9 = killed.filter((o) => o.signal === 'SIGKILL' && !isEmpty(o.leftAtOnce)).length;
console.log(
  `  ${killed.length} kills, ${leaks} leaks (${outcomes.length - killed.length} workloads ended before their signal; ` +
    `${leftByKill9} of ${killed.filter((o) => o.signal === 'SIGKILL').length} SIGKILLs left something for clean) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
process.exitCode = leaks === 0 ? 0 : 1;
