/**
 * Catalog benchmark: the wall time of `bondlab run` over the whole catalog, one repetition, as a
 * user starts it (the CLI, booting the guest when `--kernel` needs one). The baseline, from the
 * same plan, is the time the catalog must spend measuring anyway: every failover's before, fault
 * and after windows and every iperf3 run's warm-up and duration. Targets: ≤ 4 min inside
 * User-mode Linux on this machine, ≤ 90 s on a host with bonding. From the run's `--verbose`
 * trace it also prints where the time went, per phase (build, each measurement, teardown), and
 * from run.json which expectations were met: the catalog's timing bounds (detection within
 * miimon + margin, say) are judged here, where the load on the machine is part of the figure,
 * rather than in `npm test`.
 *
 * Run: npm run bench:catalog -- [--kernel auto|host|uml|qemu:...]
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../harness/project.js';
import { readRunFile } from '../harness/results/load.js';
import { loadCatalog } from '../harness/scenario/catalog.js';
import { planCases } from '../harness/scenario/plan.js';

const at = process.argv.indexOf('--kernel');
const kernel = at === -1 ? 'auto' : (process.argv[at + 1] ?? 'auto');
const cases = planCases(await loadCatalog());
const measuringMs = cases
  .flatMap((c) => c.spec.measure)
  .reduce(
    (sum, m) =>
      sum +
      (m.kind === 'failover'
        ? (m.beforeMs ?? 500) + (m.faultMs ?? 2000) + (m.afterMs ?? 1000)
        : ((m.omitS ?? 1) + (m.durationS ?? 3)) * 1000),
    0,
  );
const out = mkdtempSync(join(tmpdir(), 'bondlab-bench-catalog-'));
try {
  const started = performance.now();
  const res = await execa(
    process.execPath,
    [
      join(projectRoot(), 'bin', 'bondlab.js'),
      'run',
      '--kernel',
      kernel,
      '--reporter',
      'json',
      '--verbose',
      '--out',
      out,
    ],
    { reject: false, all: true },
  );
  const wallMs = performance.now() - started;
  const ran = /kernel: (\S+ \S+|host)/.exec(res.all)?.[1] ?? kernel;
  const target = ran.startsWith('host') ? 90_000 : 240_000;
  console.log(
    `catalog benchmark: ${cases.length} cases, 1 repetition, on ${ran} (exit ${res.exitCode ?? '?'})`,
  );
  console.log(
    `  wall time            ${(wallMs / 1000).toFixed(1)} s (target <= ${target / 1000} s): ${(wallMs / target).toFixed(2)}x of target`,
  );
  console.log(
    `  measuring windows    ${(measuringMs / 1000).toFixed(1)} s (fault, failback and iperf3 time the plan asks for)`,
  );
  console.log(
    `  ratio wall/measuring ${(wallMs / measuringMs).toFixed(2)}x (the rest: boots, builds, process starts, teardowns)`,
  );
  console.log('  per phase (from the --verbose trace; total, cases, mean per case):');
  for (const [phase, times] of phaseTimes(res.all, new Set(cases.map((c) => c.name)))) {
    const total = times.reduce((a, b) => a + b, 0);
    console.log(
      `    ${phase.padEnd(20)} ${total.toFixed(1).padStart(6)} s  ${String(times.length).padStart(3)}  ${(total / times.length).toFixed(2)} s`,
    );
  }
  printExpectations(out);
  process.exitCode = res.exitCode === 2 ? 2 : 0;
} finally {
  rmSync(out, { recursive: true, force: true });
}

/**
 * Seconds spent in each phase: the trace says `[  12.345] <case>: <phase>` as a phase begins, and
 * a phase lasts until the next begins (the last of the run, a teardown, is left out).
 */
function phaseTimes(trace: string, caseNames: ReadonlySet<string>): Map<string, number[]> {
  const starts: { at: number; phase: string }[] = [];
  for (const line of trace.split('\n')) {
    const m = /^\[\s*([\d.]+)\] (.+): (\S+)$/.exec(line);
    if (m?.[2] !== undefined && caseNames.has(m[2]))
      starts.push({ at: Number(m[1]), phase: m[3] ?? '' });
  }
  const times = new Map<string, number[]>();
  for (const [i, s] of starts.entries()) {
    const next = starts[i + 1];
    if (next === undefined) break;
    times.set(s.phase, [...(times.get(s.phase) ?? []), next.at - s.at]);
  }
  return times;
}

/** Expectations met over the run, and each one missed with its value and bound. */
function printExpectations(out: string): void {
  const folder = readdirSync(out).find((f) => !f.startsWith('incoming-'));
  if (folder === undefined) {
    console.log('  expectations         no run.json (see the exit status)');
    return;
  }
  const run = readRunFile(join(out, folder));
  const all = run.cases.flatMap((c) => c.expectations.map((e) => ({ c, e })));
  const missed = all.filter(({ e }) => !e.pass);
  console.log(
    `  expectations         ${all.length - missed.length} of ${all.length} met (${run.cases.filter((c) => c.status === 'error').length} cases errored)`,
  );
  for (const { c, e } of missed) {
    const unit = c.metrics.find((m) => m.name === e.metric)?.unit ?? '';
    console.log(
      `    missed ${c.case}: ${e.metric} ${e.measured ?? 'not measured'} ${unit} (bound ${e.op} ${e.value}): ${e.says}`,
    );
  }
}
