/**
 * Runs real `bondlab` CLIs at once, as several users of one machine would: each in its own
 * working folder with its own TMPDIR, all with the same state folder (BONDLAB_STATE_DIR, where
 * runs record themselves, as they share /run/bondlab) and the same results folder (`--out`, as
 * runs in one checkout share ./results). Then says whether they collided: a run that failed, two
 * runs holding one run id, namespace or guest process group, a run folder reported twice or
 * changed after its run ended, or anything left once all had ended (watch.ts follows the runs,
 * leftovers.ts lists and removes what they left).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Cli } from '../fixtures/host.js';
import {
  before,
  findLeftovers,
  makePlace,
  MARK_VARIABLE,
  removeLeftovers,
  type Known,
  type Place,
} from './concurrency/leftovers.js';
import { StateWatch } from './concurrency/watch.js';

/** The folders a workload's argv may name. */
export interface RunDirs {
  /** Its own working folder. */
  cwd: string;
  /** The results folder every run of the batch shares. */
  out: string;
}

/** One CLI run: `bondlab <argv>`. */
export interface Workload {
  /** How reports name it, e.g. "up direct". */
  name: string;
  argv: (dirs: RunDirs) => string[];
  /**
   * For a run that exited 1: the timing bounds it missed, when they alone explain the exit (the
   * run itself completed), else undefined. Runs at once on 2 cores stretch timers by hundreds of
   * ms; as in the catalog test, a bound in ms missed is reported, and judged by the benchmarks.
   */
  timingMisses?: (run: RunOutcome) => string[] | undefined;
}

export interface RunOutcome {
  /** `#<n> <name>`, n from 1 in the batch's order. */
  label: string;
  argv: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Spawn to exit, on the monotonic clock. */
  durationMs: number;
  /** Still running at the safety deadline, and killed. */
  killedAtDeadline: boolean;
  /** The ids of the runs it recorded in the shared state folder. */
  runIds: string[];
  /** Namespaces its runs listed in their records or made. */
  netns: string[];
  /** Guest process groups its runs recorded. */
  processGroups: number[];
  /** Run folders it reported (`results: DIR/run.json`), absolute. */
  resultsFolders: string[];
  /** Exited 1 on these timing bounds alone (Workload.timingMisses); empty otherwise. */
  timingMissed: string[];
  stdout: string;
  stderr: string;
}

export interface Collision {
  kind: 'run id' | 'namespace' | 'process group' | 'results folder';
  /** The id, name or folder, and what happened to it. */
  what: string;
  /** Labels of the runs involved. */
  runs: string[];
}

export interface ConcurrencyResult {
  runs: RunOutcome[];
  /** One line per run that did not succeed. */
  failures: string[];
  collisions: Collision[];
  /** What was left once every run had ended, one line each. */
  leaks: string[];
  /** First spawn to last exit. */
  wallMs: number;
}

export interface ConcurrencyOptions {
  /** One after another instead of all at once: the baseline for the wall time. */
  sequential?: boolean;
  /**
   * A safety net, not a timing assertion: a run still going after this long is killed (and
   * fails), so a hang ends the batch instead of the test's deadline.
   */
  deadlineMs?: number;
  /** Kills every run (a test's own deadline or teardown). */
  signal?: AbortSignal;
}

const DEFAULT_DEADLINE_MS = 600_000;

/** `results: /path/run.json` lines of a CLI's stderr, as folders. */
function reportedFolders(stderr: string, cwd: string): string[] {
  return [...stderr.matchAll(/^results: (.+)\/run\.json$/gm)].map((m) => {
    const dir = m[1] as string;
    return isAbsolute(dir) ? dir : join(cwd, dir);
  });
}

/** A run folder's run.json, hashed; undefined when it cannot be read. */
function digest(folder: string): string | undefined {
  try {
    return createHash('sha256')
      .update(readFileSync(join(folder, 'run.json')))
      .digest('hex');
  } catch {
    return undefined;
  }
}

/** The last lines of `text` that are not about where the reports went, joined. */
const tail = (text: string): string =>
  text
    .trim()
    .split('\n')
    .filter((l) => !/^(results|report): /.test(l))
    .slice(-3)
    .join(' | ');

interface Finished {
  outcome: RunOutcome;
  /** Each reported run folder's run.json when its run ended. */
  digests: Map<string, string | undefined>;
}

/** Runs one workload to its end; its run records are attributed to it by the CLI's pid. */
async function runOne(
  index: number,
  workload: Workload,
  place: Place,
  marker: string,
  watch: StateWatch,
  options: ConcurrencyOptions & { onSpawn: (pid: number) => void },
): Promise<Finished> {
  const corner = place.runs[index] as Place['runs'][number];
  options.signal?.throwIfAborted();
  const argv = workload.argv({ cwd: corner.cwd, out: place.out });
  const startedAt = performance.now();
  const cli = new Cli(argv, {
    // A group and session of its own: what it starts is found by either id.
    detached: true,
    cwd: corner.cwd,
    env: { BONDLAB_STATE_DIR: place.state, TMPDIR: corner.tmp, [MARK_VARIABLE]: marker },
  });
  const pid = cli.child.pid as number;
  watch.own(pid, index);
  options.onSpawn(pid);
  let killedAtDeadline = false;
  const killGroup = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  };
  const timer = setTimeout(() => {
    killedAtDeadline = true;
    killGroup();
  }, options.deadlineMs ?? DEFAULT_DEADLINE_MS);
  options.signal?.addEventListener('abort', killGroup, { once: true });
  const end = await cli.exited;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', killGroup);
  const durationMs = performance.now() - startedAt;
  watch.tick();
  const held = watch.holdings(index);
  const resultsFolders = reportedFolders(end.stderr, corner.cwd);
  const outcome: RunOutcome = {
    label: `#${index + 1} ${workload.name}`,
    argv,
    code: end.code,
    signal: end.signal,
    durationMs,
    killedAtDeadline,
    runIds: [...held.runIds].sort(),
    netns: [...held.netns].sort(),
    processGroups: [...held.processGroups].sort((a, b) => a - b),
    resultsFolders,
    timingMissed: [],
    stdout: end.stdout,
    stderr: end.stderr,
  };
  if (end.code === 1) outcome.timingMissed = workload.timingMisses?.(outcome) ?? [];
  // As it left them: a later change is another run's doing.
  return { outcome, digests: new Map(resultsFolders.map((f) => [f, digest(f)])) };
}

/** Whatever two or more runs held: each key, with the labels of the runs that held it. */
function shared<K>(runs: readonly RunOutcome[], keys: (r: RunOutcome) => readonly K[]) {
  const holders = new Map<K, string[]>();
  for (const r of runs) {
    for (const k of new Set(keys(r))) holders.set(k, [...(holders.get(k) ?? []), r.label]);
  }
  return [...holders].filter(([, labels]) => labels.length > 1);
}

function collisionsOf(
  runs: readonly RunOutcome[],
  digests: ReadonlyMap<string, string | undefined>,
): Collision[] {
  const found: Collision[] = [
    ...shared(runs, (r) => r.runIds).map(([id, labels]) => ({
      kind: 'run id' as const,
      what: `run id ${id} held by ${labels.length} runs`,
      runs: labels,
    })),
    ...shared(runs, (r) => r.netns).map(([ns, labels]) => ({
      kind: 'namespace' as const,
      what: `namespace ${ns} held by ${labels.length} runs`,
      runs: labels,
    })),
    ...shared(runs, (r) => r.processGroups).map(([g, labels]) => ({
      kind: 'process group' as const,
      what: `process group ${g} recorded by ${labels.length} runs`,
      runs: labels,
    })),
    ...shared(runs, (r) => r.resultsFolders).map(([f, labels]) => ({
      kind: 'results folder' as const,
      what: `${f} reported by ${labels.length} runs`,
      runs: labels,
    })),
  ];
  for (const r of runs) {
    for (const f of r.resultsFolders) {
      const then = digests.get(f);
      const now = digest(f);
      if (then === undefined || now !== then) {
        found.push({
          kind: 'results folder',
          what: `${f}/run.json ${then === undefined ? 'was not there when its run ended' : now === undefined ? 'went missing after its run ended' : 'changed after its run ended'}`,
          runs: [r.label],
        });
      }
    }
  }
  return found;
}

function failuresOf(runs: readonly RunOutcome[]): string[] {
  const failures: string[] = [];
  for (const r of runs) {
    const seconds = `${(r.durationMs / 1000).toFixed(1)} s`;
    if (r.code !== 0 && r.timingMissed.length === 0) {
      const how = r.killedAtDeadline
        ? 'killed at the safety deadline'
        : `exit ${r.code ?? r.signal ?? '?'}`;
      failures.push(`${r.label}: ${how} after ${seconds}; stderr ends: ${tail(r.stderr)}`);
    } else if (r.runIds.length === 0) {
      // Without its id nothing above could see it collide.
      failures.push(`${r.label}: never seen in the shared state folder (no run record of its pid)`);
    }
  }
  return failures;
}

/**
 * Runs `workloads` at once (or one after another), each a real `bondlab` CLI, then lists every
 * failure, collision and leftover, and removes what was left. Resolves once all is gone.
 */
export async function runWorkloads(
  workloads: readonly Workload[],
  options: ConcurrencyOptions = {},
): Promise<ConcurrencyResult> {
  const place = makePlace(workloads.length);
  const was = before();
  const marker = randomBytes(8).toString('hex');
  const watch = new StateWatch(place.state);
  const pids: number[] = [];
  const known = (resultsFolders: string[]): Known => ({
    marker,
    cliPids: pids,
    runIds: watch.allRunIds(),
    processGroups: watch.allProcessGroups(),
    resultsFolders: new Set(resultsFolders),
  });
  let folders: string[] = [];
  try {
    watch.start();
    const startedAt = performance.now();
    const one = (i: number): Promise<Finished> =>
      runOne(i, workloads[i] as Workload, place, marker, watch, {
        ...options,
        onSpawn: (pid) => pids.push(pid),
      });
    const done: Finished[] = [];
    if (options.sequential === true) {
      for (let i = 0; i < workloads.length; i++) done.push(await one(i));
    } else {
      done.push(...(await Promise.all(workloads.map((_, i) => one(i)))));
    }
    const wallMs = performance.now() - startedAt;
    watch.stop();
    const runs = done.map((d) => d.outcome);
    folders = runs.flatMap((r) => r.resultsFolders);
    const digests = new Map(done.flatMap((d) => [...d.digests]));
    return {
      runs,
      failures: failuresOf(runs),
      collisions: collisionsOf(runs, digests),
      leaks: findLeftovers(place, known(folders), was),
      wallMs,
    };
  } finally {
    watch.stop();
    await removeLeftovers(place, known(folders));
  }
}

/** One line for a batch: "4 at once: 4 succeeded, 0 collisions, 0 leaks". */
export function summary(result: ConcurrencyResult, sequential = false): string {
  const ok = result.runs.length - result.failures.length;
  return `${result.runs.length} ${sequential ? 'one after another' : 'at once'}: ${ok} succeeded, ${result.collisions.length} collision${result.collisions.length === 1 ? '' : 's'}, ${result.leaks.length} leak${result.leaks.length === 1 ? '' : 's'}`;
}
