/**
 * Kill-anywhere: starts a real bondlab workload, waits for a chosen phase (setup, measurement or
 * teardown) to begin, waits a random while more, and kills it with SIGINT (to its process group,
 * as a terminal's Ctrl-C does), SIGTERM or SIGKILL (to the bondlab process alone, as `kill` and
 * `kill -9` do). Then it looks for anything the run left behind: namespaces, links and qdiscs of
 * the initial namespace, processes, temporary files and run records. After SIGINT and SIGTERM that
 * must be nothing at once; after SIGKILL, nothing once `bondlab clean` has run.
 *
 * Each kill gets its own folder (TMPDIR, state folder, --out), so what it left is told apart from
 * what other work on the machine is doing: a namespace is its if it carries one of the run ids its
 * state folder recorded, a process if its environment carries the kill's token or its command line
 * names the kill's folder.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseNetnsName } from '../../harness/lifecycle/names.js';
import { seeded } from '../../harness/measure/stats.js';
import { netnsList, ROOT, rootLinks } from '../fixtures/host.js';

export type Phase = 'setup' | 'measure' | 'teardown';
export type KillSignal = 'SIGINT' | 'SIGTERM' | 'SIGKILL';
export const PHASES: readonly Phase[] = ['setup', 'measure', 'teardown'];
export const SIGNALS: readonly KillSignal[] = ['SIGINT', 'SIGTERM', 'SIGKILL'];

export interface Workload {
  name: string;
  /** Where the bonding driver would be: the host's topology path, or a User-mode Linux guest. */
  path: 'host' | 'uml';
  /** The argv after `node`, given the kill's results folder. */
  argv: (out: string) => string[];
  /** Environment beyond the user's. */
  env?: Record<string, string>;
  /** The phase a stderr line begins, if it begins one. */
  phaseOf: (line: string) => Phase | undefined;
  /** The most to wait after a phase began before killing, ms (about the phase's length). */
  jitterMs: Record<Phase, number>;
}

const BONDLAB = join(ROOT, 'bin', 'bondlab.js');
const caseTrace = (name: string, line: string): string | undefined =>
  new RegExp(`^\\[\\s*[\\d.]+\\] ${name.replace(/[[\]]/g, '\\$&')}: (\\S+)$`).exec(line)?.[1];

/** The workloads, two on each path. */
export const WORKLOADS: readonly Workload[] = [
  {
    name: 'calibrate (host: bridge, probes, port faults)',
    path: 'host',
    argv: () => [
      BONDLAB,
      'calibrate',
      '--kernel',
      'host',
      '--outages',
      '50,100,200',
      '--repeat',
      '2',
    ],
    phaseOf: (line) =>
      line.startsWith('topology: creating')
        ? 'setup'
        : line === 'topology: ready'
          ? 'measure'
          : line.startsWith('teardown: ')
            ? 'teardown'
            : undefined,
    jitterMs: { setup: 150, measure: 1500, teardown: 60 },
  },
  {
    name: 'throughput (host: bridge, tbf, iperf3)',
    path: 'host',
    argv: () => ['--import', 'tsx', join(ROOT, 'test', 'reliability', 'kill-workload.ts')],
    // tsx's compile cache would be a temporary file of the test's, not bondlab's.
    env: { TSX_DISABLE_CACHE: '1' },
    phaseOf: (line) =>
      line.startsWith('topology: creating')
        ? 'setup'
        : line.startsWith('throughput: ')
          ? 'measure'
          : line.startsWith('teardown: ')
            ? 'teardown'
            : undefined,
    jitterMs: { setup: 150, measure: 3000, teardown: 60 },
  },
  {
    name: 'run seed-failover (UML: boot, bond, probes, carrier loss)',
    path: 'uml',
    argv: (out) => [BONDLAB, 'run', 'seed-failover', '--kernel', 'uml', '--verbose', '--out', out],
    phaseOf: (line) => umlPhase(caseTrace('seed-failover', line), line),
    jitterMs: { setup: 2500, measure: 4000, teardown: 300 },
  },
  {
    name: 'run modes[mode=0] (UML: bond, iperf3, failover)',
    path: 'uml',
    argv: (out) => [
      BONDLAB,
      'run',
      'modes',
      '--mode',
      '0',
      '--kernel',
      'uml',
      '--verbose',
      '--out',
      out,
    ],
    phaseOf: (line) => umlPhase(caseTrace('modes[mode=0]', line), line),
    jitterMs: { setup: 2500, measure: 6000, teardown: 300 },
  },
];

/** Setup from the boot (the kernel line) through the build; the host's own teardown last. */
function umlPhase(step: string | undefined, line: string): Phase | undefined {
  if (line.startsWith('kernel: uml') && !line.includes(' exited ')) return 'setup';
  if (line.startsWith('teardown: ')) return 'teardown';
  if (step === 'build') return 'setup';
  if (step === 'failover' || step === 'throughput') return 'measure';
  if (step === 'teardown') return 'teardown';
  return undefined;
}

/** What a kill left: each list empty when nothing leaked. */
export interface Leftovers {
  netns: string[];
  links: string[];
  qdiscs: string[];
  processes: string[];
  tempFiles: string[];
  records: string[];
}

export interface KillOutcome {
  workload: string;
  path: Workload['path'];
  signal: KillSignal;
  /** The phase waited for, and the one running when the signal went (from the last phase line). */
  target: Phase;
  phase: Phase | undefined;
  /** After the target phase began, ms. */
  delayMs: number;
  /**
   * False when the workload ended before the signal could be sent, or completed anyway (exit 0:
   * the signal landed after its teardown); not counted as a kill.
   */
  killed: boolean;
  exit: { code: number | null; signal: NodeJS.Signals | null };
  /** What was there right after the process ended (before any clean). */
  leftAtOnce: Leftovers;
  /** After SIGKILL, what `bondlab clean` left; otherwise the same as leftAtOnce. */
  leaks: Leftovers;
  cleanExit: number | null | undefined;
  stderrTail: string[];
}

export interface PlannedKill {
  workload: Workload;
  signal: KillSignal;
  target: Phase;
  delayMs: number;
}

/**
 * `count` kills over the workloads of `paths`: every workload meets every signal in every phase
 * before any pairing repeats, each with a random delay within the phase's jitter.
 */
export function planKills(count: number, paths: readonly Workload['path'][], seed: number) {
  const random = seeded(seed);
  const workloads = WORKLOADS.filter((w) => paths.includes(w.path));
  const combos = workloads.flatMap((workload) =>
    SIGNALS.flatMap((signal) => PHASES.map((target) => ({ workload, signal, target }))),
  );
  const kills: PlannedKill[] = [];
  for (let i = 0; i < count; i++) {
    const c = combos[i % combos.length] as (typeof combos)[number];
    kills.push({ ...c, delayMs: Math.round(random() * c.workload.jitterMs[c.target]) });
  }
  return kills;
}

const EXIT_WAIT_MS = 90_000;

/** Runs one planned kill in `folder` (created, and removed afterwards) and reports what it left. */
export async function killOnce(kill: PlannedKill, folder: string): Promise<KillOutcome> {
  const tmp = join(folder, 'tmp');
  const state = join(folder, 'state');
  const out = join(folder, 'out');
  for (const dir of [tmp, state, out]) mkdirSync(dir, { recursive: true });
  const token = `bondlab-kill-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const env = {
    ...userEnv(),
    TMPDIR: tmp,
    BONDLAB_STATE_DIR: state,
    BONDLAB_KILL_TOKEN: token,
    ...kill.workload.env,
  };
  const baseline = { links: rootLinks(), qdiscs: rootQdiscs() };
  const runIds = new Set<string>();
  const child = spawn(process.execPath, kill.workload.argv(out), {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid as number;
  let stderr = '';
  let phase: Phase | undefined;
  const phaseBegun = new Map<Phase, () => void>();
  const waitForPhase = (p: Phase): Promise<void> =>
    new Promise((resolve) => {
      phaseBegun.set(p, resolve);
    });
  let partial = '';
  child.stdout.resume();
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const p = kill.workload.phaseOf(line);
      if (p === undefined) continue;
      phase = p;
      phaseBegun.get(p)?.();
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal });
    });
  });
  // The run ids the kill's state folder records, as they appear: a namespace is ours by its id.
  const watch = setInterval(() => {
    for (const id of recordedRunIds(state)) runIds.add(id);
  }, 20);
  let killed = false;
  let phaseAtKill: Phase | undefined;
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  await Promise.race([waitForPhase(kill.target), exited]);
  if (running()) {
    await new Promise((resolve) => setTimeout(resolve, kill.delayMs));
    if (running()) {
      killed = true;
      phaseAtKill = phase;
      if (kill.signal === 'SIGINT') process.kill(-pid, 'SIGINT');
      else process.kill(pid, kill.signal);
    }
  }
  const timer = setTimeout(() => {
    // A run that does not end after SIGINT or SIGTERM hangs: that is a finding, and it must go.
    process.kill(-pid, 'SIGKILL');
  }, EXIT_WAIT_MS);
  const exit = await exited;
  // Exit 0 after SIGINT or SIGTERM: the signal landed once the run had finished its teardown, and
  // the command completed. Not a kill of the run.
  if (exit.code === 0) killed = false;
  clearTimeout(timer);
  clearInterval(watch);
  for (const id of recordedRunIds(state)) runIds.add(id);
  const look = (): Leftovers => leftovers({ folder, token, tmp, state, runIds, baseline });
  const leftAtOnce = look();
  let leaks = leftAtOnce;
  let cleanExit: number | null | undefined;
  if (kill.signal === 'SIGKILL') {
    cleanExit = spawnSync(process.execPath, [BONDLAB, 'clean'], { cwd: ROOT, env }).status;
    leaks = look();
  }
  // A leak is reported, then swept, so that it does not fail the tests that come after this one.
  if (!isEmpty(leaks)) sweep(leaks, env);
  rmSync(folder, { recursive: true, force: true });
  return {
    workload: kill.workload.name,
    path: kill.workload.path,
    signal: kill.signal,
    target: kill.target,
    phase: phaseAtKill,
    delayMs: kill.delayMs,
    killed,
    exit,
    leftAtOnce,
    leaks,
    cleanExit,
    stderrTail: stderr.trimEnd().split('\n').slice(-15),
  };
}

/** Removes what a kill leaked: `bondlab clean`, then whatever namespace or process is left. */
function sweep(leaks: Leftovers, env: NodeJS.ProcessEnv): void {
  spawnSync(process.execPath, [BONDLAB, 'clean'], { cwd: ROOT, env });
  for (const line of leaks.processes) {
    try {
      process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    } catch {
      // gone already
    }
  }
  for (const ns of leaks.netns) spawnSync('ip', ['netns', 'del', ns]);
}

export function isEmpty(l: Leftovers): boolean {
  return Object.values(l).every((xs: string[]) => xs.length === 0);
}

export function describe(l: Leftovers): string {
  const parts = Object.entries(l)
    .filter(([, xs]) => (xs as string[]).length > 0)
    .map(
      ([k, xs]) => `${(xs as string[]).length} ${k} (${(xs as string[]).slice(0, 3).join(', ')})`,
    );
  return parts.length === 0 ? 'nothing' : parts.join('; ');
}

function leftovers(o: {
  folder: string;
  token: string;
  tmp: string;
  state: string;
  runIds: ReadonlySet<string>;
  baseline: { links: string[]; qdiscs: string[] };
}): Leftovers {
  return {
    netns: netnsList().filter((n) => o.runIds.has(parseNetnsName(n)?.runId ?? '')),
    // bondlab never leaves a link in the initial namespace; one named for another run is that
    // run's business (other work on the machine), not this kill's.
    links: rootLinks().filter((l) => {
      const owner = parseNetnsName(l.split('#')[0] ?? '')?.runId;
      return !o.baseline.links.includes(l) && (owner === undefined || o.runIds.has(owner));
    }),
    qdiscs: rootQdiscs().filter((q) => !o.baseline.qdiscs.includes(q)),
    processes: processesOf(o.token, o.folder),
    tempFiles: [
      ...readdirSync(o.tmp).map((f) => join(o.tmp, f)),
      ...entries(join(o.state, 'uml')).map((f) => join(o.state, 'uml', f)),
    ],
    records: recordedRunIds(o.state),
  };
}

function recordedRunIds(state: string): string[] {
  return entries(join(state, 'runs'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length));
}

/** A folder's entries; none when it does not exist. */
function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The initial namespace's qdiscs as `dev kind handle`. */
function rootQdiscs(): string[] {
  const out = execFileSync('tc', ['-j', 'qdisc', 'show'], { encoding: 'utf8' });
  return (JSON.parse(out) as { dev: string; kind: string; handle: string }[]).map(
    (q) => `${q.dev} ${q.kind} ${q.handle}`,
  );
}

/** Live processes started for this kill: `pid argv0 ...` (zombies have no command line). */
function processesOf(token: string, folder: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline === '') continue;
      let ours = cmdline.includes(folder);
      if (!ours) {
        try {
          ours = readFileSync(`/proc/${pid}/environ`, 'utf8').includes(token);
        } catch {
          // exited meanwhile, or not readable: its command line decides
        }
      }
      if (ours) found.push(`${pid} ${cmdline.split('\0').slice(0, 4).join(' ').trim()}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** A user's shell environment: this one without tap's loaders and settings. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('TAP') && !k.startsWith('_TAPJS'),
    ),
  );
}
