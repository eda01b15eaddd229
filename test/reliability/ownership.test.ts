/**
 * Ownership: `bondlab clean`, and the next run (which cleans first), remove only what a dead run
 * of ours left. Look-alikes a user made beforehand survive untouched: namespaces with the dead
 * run's exact prefix but a name it never made, with a run id no record has, one character off
 * the id or the prefix; root links named with the dead run's prefix; a temp folder named like
 * its scratch; and a process group whose id the dead run recorded but another process now holds.
 * Each dead run is made for real: `bondlab up` holding a topology, killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { run } from '../../harness/exec/run.js';
import type { CleanReport } from '../../harness/lifecycle/clean.js';
import { newRunId } from '../../harness/lifecycle/names.js';
import { processStartTime } from '../../harness/lifecycle/process-identity.js';
import { listRecords, type RunRecord } from '../../harness/lifecycle/records.js';
import {
  cli,
  ensureBuilt,
  isolateState,
  leaks,
  netnsList,
  rootLinks,
  snapshot,
  startCli,
  type Teardowns,
} from '../fixtures/host.js';

ensureBuilt();
const state = isolateState(t);

/** A run holding `topology` on this kernel, killed with SIGKILL: its id and namespaces. */
async function deadRun(t: Teardowns, topology: string, nodes: string[]): Promise<string> {
  const victim = startCli(t, ['up', topology, '--kernel', 'host', '--hold', '300']);
  await victim.waitForStderr('holding for');
  const id = victim.runId() as string;
  victim.child.kill('SIGKILL');
  await victim.exited;
  const left = netnsList();
  if (!nodes.every((n) => left.includes(`bl${id}-${n}`))) {
    throw new Error(`kill -9 of run ${id} should leave its namespaces; found ${left.join(' ')}`);
  }
  return id;
}

/** The namespaces of `names` that carry one of these run ids (others' runs come and go). */
const ours = (names: readonly string[], ids: readonly string[]): string[] =>
  names.filter((n) => ids.some((id) => n.startsWith(`bl${id}-`)));

/** The same id with its last character changed. */
const oneOff = (id: string): string => `${id.slice(0, -1)}${id.endsWith('a') ? 'b' : 'a'}`;

interface LookAlikes {
  netns: string[];
  rootLinks: string[];
  paths: string[];
  /** Processes inside the look-alike namespaces, and the stranger group's leader. */
  pids: number[];
  strangerGroup: number;
}

/**
 * What a user made, named like ours, around dead run `id`: namespaces (each with a veth pair and a
 * process inside), a veth pair in the root namespace, a folder beside the run's scratch, and a
 * process group the dead run's record is made to name (as if its own group's id had been reused).
 * Every teardown is registered before its setup.
 */
async function makeLookAlikes(t: Teardowns, id: string): Promise<LookAlikes> {
  let stranger = newRunId();
  while (listRecords().some((r) => r.id === stranger)) stranger = newRunId();
  const netns = [
    `bl${id}-mine`, // the dead run's exact prefix, a node it never had
    `bl${id}-client.bak`, // its prefix and a node's name, with more after it
    `bl${stranger}-client`, // our pattern, a run id no record has
    `bl${oneOff(id)}-client`, // one character off the id
    `bk${id}-client`, // one character off the prefix
    `bl${id}client`, // no dash
  ];
  const pids: number[] = [];
  for (const ns of netns) {
    t.teardown(() => run(['ip', 'netns', 'del', ns], { okExitCodes: [1] }));
    await run(['ip', 'netns', 'add', ns]);
    await run(['ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'], { netns: ns });
    const inside = spawn('ip', ['netns', 'exec', ns, 'sleep', '600'], { stdio: 'ignore' });
    t.teardown(() => inside.kill('SIGKILL'));
    await once(inside, 'spawn');
    pids.push(inside.pid as number);
  }
  const links = [`bl${id}-a`, `bl${id}-b`];
  t.teardown(() => run(['ip', 'link', 'del', links[0] as string], { okExitCodes: [1] }));
  await run([
    'ip',
    'link',
    'add',
    links[0] as string,
    'type',
    'veth',
    'peer',
    'name',
    links[1] as string,
  ]);
  const path = join(state, 'scratch', `${id}-mine`);
  t.teardown(() => {
    rmSync(path, { recursive: true, force: true });
  });
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'keep'), 'a user file\n');
  // A process group another user started after the dead run's own group ended: the record
  // names its id, with the start time the run's leader had (not this leader's).
  const group = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
  t.teardown(() => group.kill('SIGKILL'));
  await once(group, 'spawn');
  const pgid = group.pid as number;
  const file = join(state, 'runs', `${id}.json`);
  const record = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  record.processGroups.push(pgid);
  record.processGroupStarts = {
    ...record.processGroupStarts,
    [pgid]: (processStartTime(pgid) ?? 0) - 1,
  };
  writeFileSync(file, JSON.stringify(record));
  return { netns, rootLinks: links, paths: [path], pids: [...pids, pgid], strangerGroup: pgid };
}

/** Everything a user made is still there, its content with it. */
async function untouched(t: Test, made: LookAlikes): Promise<void> {
  const now = netnsList();
  for (const ns of made.netns) {
    t.ok(now.includes(ns), `${ns} is still there`);
    if (!now.includes(ns)) continue;
    const { stdout } = await run(['ip', '-j', 'link', 'show'], { netns: ns });
    const names = (JSON.parse(stdout) as { ifname: string }[]).map((l) => l.ifname).sort();
    t.same(names, ['lo', 'v0', 'v1'], `${ns} keeps its links`);
  }
  const links = rootLinks().map((l) => l.replace(/#\d+$/, ''));
  for (const l of made.rootLinks) t.ok(links.includes(l), `root link ${l} is still there`);
  for (const p of made.paths) t.ok(existsSync(join(p, 'keep')), `${p} is still there`);
  for (const pid of made.pids) {
    t.doesNotThrow(() => process.kill(pid, 0), `process ${pid} still runs`);
  }
}

void t.test('bondlab clean removes a dead run and nothing that only looks like it', async (t) => {
  const before = snapshot();
  const live = startCli(t, ['up', 'direct', '--kernel', 'host', '--hold', '300']);
  await live.waitForStderr('holding for');
  const liveId = live.runId() as string;
  const deadId = await deadRun(t, 'switched', ['client', 'server', 'sw']);
  const made = await makeLookAlikes(t, deadId);

  const res = await cli(t, ['clean', '--json']);
  t.equal(res.code, 0, 'exit 0', { stderr: res.stderr });
  const report = JSON.parse(res.stdout) as CleanReport;
  t.same(report.removedRuns, [deadId], 'the dead run is removed');
  t.same(
    report.removedNetns.sort(),
    ['client', 'server', 'sw'].map((n) => `bl${deadId}-${n}`),
    'exactly its namespaces',
  );
  t.same(report.keptAlive.sort(), [`bl${liveId}-a`, `bl${liveId}-b`], 'the live run is kept');
  // Others' tests on this machine may have strangers of their own: ours must all be there.
  const inPattern = made.netns.filter((n) => /^bl[a-z0-9]{5}-/.test(n));
  t.same(
    report.leftAlone.filter((n) => inPattern.includes(n)).sort(),
    inPattern.sort(),
    'every look-alike named in our pattern is reported and left alone',
  );
  t.same(report.killedProcessGroups, [], 'no process group killed');
  t.same(report.leftAloneProcessGroups, [made.strangerGroup], 'the reused group id is left');
  await untouched(t, made);
  t.notOk(
    netnsList().some((n) => n.startsWith(`bl${deadId}-`) && !made.netns.includes(n)),
    'nothing of the dead run is left',
  );
  t.same(
    listRecords().map((r) => r.id),
    [liveId],
    'only the live run keeps a record',
  );

  t.comment(
    `${made.netns.length} look-alike namespaces, ${made.rootLinks.length} root links, ${made.paths.length} folder and 1 reused process group survived bondlab clean; the dead run's ${report.removedNetns.length} namespaces were removed`,
  );
  live.child.kill('SIGTERM');
  t.equal((await live.exited).code, 143, 'the live run ends on SIGTERM');
  t.same(
    ours(leaks(before).netns, [liveId, deadId]).filter((n) => !made.netns.includes(n)),
    [],
    'beyond the look-alikes, no namespace of these runs is left',
  );
});

void t.test('the next run heals a dead run and leaves the look-alikes', async (t) => {
  const before = snapshot();
  const deadId = await deadRun(t, 'direct', ['a', 'b']);
  const made = await makeLookAlikes(t, deadId);

  const next = await cli(t, ['up', 'direct', '--kernel', 'host']);
  t.equal(next.code, 0, 'the next run succeeds', { stderr: next.stderr });
  t.match(next.stderr, `removed leftovers of dead run(s) ${deadId}`);
  t.notOk(netnsList().includes(`bl${deadId}-a`), 'the dead run is gone');
  await untouched(t, made);
  t.same(listRecords(), [], 'no record is left');
  t.same(
    ours(leaks(before).netns, [deadId]).filter((n) => !made.netns.includes(n)),
    [],
    'beyond the look-alikes, no namespace of the dead run is left',
  );
  const nextId = /\brun ([a-z0-9]{5}): built/.exec(next.stderr)?.[1] ?? '?';
  t.same(ours(netnsList(), [nextId]), [], 'nor of the next run');
});
