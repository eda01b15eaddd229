/**
 * Concurrency: four runs at once on this kernel (calibrations on a bridge, `bondlab up` of a
 * bridged topology and of a veth pair), then two User-mode Linux guests at once (the seed
 * failover scenario), all sharing one state folder and one results folder. Each must succeed,
 * hold run ids, namespaces and guest process groups no other run holds, keep its run folder to
 * itself, and leave nothing once all have ended (concurrency.ts). Durations are printed, never
 * asserted; so is a timing bound missed (calibrate and run exit 1 on one, and two guests on two
 * cores stretch each other's timers), as in the catalog test, as long as the run completed.
 * `npm run bench:concurrency` prints the same figures against the runs one after another.
 */
import { basename } from 'node:path';
import t, { type Test } from 'tap';
import { ensureBuilt, netnsList } from '../fixtures/host.js';
import { runWorkloads, type ConcurrencyResult, type Workload } from './concurrency.js';
import { HOST_WORKLOADS, UML_WORKLOADS } from './concurrency/workloads.js';

ensureBuilt();
// Two guests booting at once on a loaded 2-core machine, after four host runs.
t.setTimeout(1_800_000);

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Runs `workloads` at once and checks the batch; resolves with its result. */
async function atOnce(t: Test, workloads: readonly Workload[]): Promise<ConcurrencyResult> {
  const stop = new AbortController();
  t.teardown(() => {
    stop.abort();
  });
  const result = await runWorkloads(workloads, { signal: stop.signal });
  for (const r of result.runs) {
    if (r.timingMissed.length > 0) {
      for (const m of r.timingMissed) t.comment(`timing bound missed under load, ${r.label}: ${m}`);
    } else {
      t.equal(r.code, 0, `${r.label} exits 0`, { stdout: r.stdout, stderr: r.stderr });
    }
    t.ok(r.runIds.length > 0, `${r.label} recorded a run in the shared state folder`);
    t.comment(
      `${r.label}: exit ${r.code ?? r.signal ?? '?'} in ${seconds(r.durationMs)}, run ${r.runIds.join(' ')}, ${r.processGroups.length > 0 && r.netns.length === 0 ? 'namespaces inside its guest' : `${r.netns.length} namespaces`}${r.processGroups.length > 0 ? `, guest group ${r.processGroups.join(' ')}` : ''}${r.resultsFolders.map((f) => `, run folder ${basename(f)}`).join('')}`,
    );
  }
  t.same(result.failures, [], 'every run succeeded');
  t.same(result.collisions, [], 'no collision');
  t.same(result.leaks, [], 'nothing left behind');
  const ids = result.runs.flatMap((r) => r.runIds);
  t.equal(new Set(ids).size, ids.length, 'every run id is its own');
  t.comment(`wall ${seconds(result.wallMs)}`);
  return result;
}

const line = (result: ConcurrencyResult): string => {
  const timing = result.runs.filter((r) => r.timingMissed.length > 0).length;
  return `${result.runs.length - result.failures.length} succeeded${timing > 0 ? ` (${timing} on a timing bound missed)` : ''}, ${result.collisions.length} collisions`;
};

let host: ConcurrencyResult | undefined;
let uml: ConcurrencyResult | undefined;

void t.test('the judge sees what a killed run leaves, and removes it', async (t) => {
  // A control: a run killed with SIGKILL at the safety deadline, beside one that succeeds.
  const result = await runWorkloads(
    [
      {
        name: 'up direct, killed',
        argv: () => ['up', 'direct', '--kernel', 'host', '--hold', '300'],
      },
      { name: 'up direct', argv: () => ['up', 'direct', '--kernel', 'host'] },
    ],
    { deadlineMs: 15_000 },
  );
  const [killed, fine] = result.runs;
  t.ok(killed?.killedAtDeadline, 'the first is killed at the deadline');
  t.equal(fine?.code, 0, 'the second succeeds');
  t.match(result.failures, [/^#1 up direct, killed: killed at the safety deadline/], 'one failure');
  const id = killed?.runIds[0] ?? '?';
  t.same(
    result.leaks.filter((l) => l.startsWith('namespace ')),
    [`namespace bl${id}-a`, `namespace bl${id}-b`],
    'its namespaces are seen left',
  );
  t.ok(result.leaks.includes(`state folder: runs/${id}.json`), 'and its run record');
  t.same(result.collisions, [], 'no collision');
  t.notOk(
    netnsList().some((n) => n.startsWith(`bl${id}-`)),
    'and all of it is gone afterwards',
  );
});

void t.test('four runs at once on host veth and bridges', async (t) => {
  host = await atOnce(t, HOST_WORKLOADS);
  const namespaces = host.runs.flatMap((r) => r.netns);
  t.equal(new Set(namespaces).size, namespaces.length, 'no namespace held twice');
  // calibrate and up switched: 3 each (two hosts and a bridge or client, server, sw); direct 2.
  t.ok(
    host.runs.every((r) => r.netns.length >= 2),
    'each run made namespaces of its own',
  );
});

void t.test('two User-mode Linux guests at once', async (t) => {
  uml = await atOnce(t, UML_WORKLOADS);
  const folders = uml.runs.flatMap((r) => r.resultsFolders);
  t.equal(folders.length, 2, 'each run reported one run folder');
  t.equal(new Set(folders).size, 2, 'in two folders, one results folder between them');
  const groups = uml.runs.flatMap((r) => r.processGroups);
  t.equal(new Set(groups).size, groups.length, 'each guest in a process group of its own');
  t.ok(
    uml.runs.every((r) => r.processGroups.length > 0),
    'each run recorded its guest',
  );
});

void t.test('the figures', async (t) => {
  t.ok(host !== undefined && uml !== undefined, 'both batches ran');
  if (host === undefined || uml === undefined) return;
  t.comment(
    `${host.runs.length} host runs at once: ${line(host)}; ${uml.runs.length} UML guests at once: ${line(uml)}`,
  );
});
