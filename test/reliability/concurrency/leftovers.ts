/**
 * What runs left once every one of them ended, and how it is removed afterwards: namespaces of
 * their ids (or new ones named like ours), new root links, processes of theirs (in a CLI's
 * session or group, in a guest's group, with the runs' marker in their environment, or naming
 * their folders on their command line), files in their working folders and TMPDIRs, run records
 * and other files in the shared state folder, and anything in the shared results folder that is
 * not a run folder a CLI reported.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseNetnsName } from '../../../harness/lifecycle/names.js';
import { listNetns, pidsInNetns } from '../../../harness/lifecycle/netns.js';
import { Cli } from '../../fixtures/host.js';
import { newNetns } from '../hostile/private-run.js';
import { readdirOrEmpty } from './watch.js';

/** The folders of one batch of runs. */
export interface Place {
  /** Holds the working folders, TMPDIRs and the shared results folder. */
  root: string;
  /** BONDLAB_STATE_DIR of every run. */
  state: string;
  /** The results folder they share (`--out`), as runs in one checkout share ./results. */
  out: string;
  /** Per run: its working folder and TMPDIR. */
  runs: { cwd: string; tmp: string }[];
}

/** What the batch knew of itself when its runs ended. */
export interface Known {
  marker: string;
  /** The CLIs' pids: each led a process group and a session of its own. */
  cliPids: number[];
  runIds: Set<string>;
  processGroups: Set<number>;
  /** Run folders the CLIs reported, absolute. */
  resultsFolders: Set<string>;
}

/** The host's namespaces and root links before the batch. */
export interface Before {
  netns: string[];
  links: string[];
}

export const MARK_VARIABLE = 'BONDLAB_CONCURRENCY_MARK';

export function before(): Before {
  return { netns: listNetns(), links: readdirOrEmpty('/sys/class/net') };
}

/** Namespaces left: of the runs' ids, or new, named like ours, and of no other state folder. */
function netnsLeft(known: Known, was: Before): string[] {
  const ours = listNetns().filter((n) => known.runIds.has(parseNetnsName(n)?.runId ?? ''));
  return [...new Set([...ours, ...newNetns(was.netns)])].sort();
}

/** Processes of the batch still running, as `pid argv`. */
function processesLeft(place: Place, known: Known): string[] {
  const found: string[] = [];
  const groups = new Set([...known.cliPids, ...known.processGroups]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [pgrp = 0, session = 0] = stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ')
        .slice(2, 4)
        .map(Number);
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (
        groups.has(pgrp) ||
        groups.has(session) ||
        env.includes(`${MARK_VARIABLE}=${known.marker}`) ||
        cmd.includes(place.root) ||
        cmd.includes(place.state)
      ) {
        found.push(`${entry} ${cmd}`);
      }
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** Every entry under `dir`, relative to it. */
function entriesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
  } catch {
    return [];
  }
}

/** Everything the runs left, one line each; empty when they left nothing. */
export function findLeftovers(place: Place, known: Known, was: Before): string[] {
  const left: string[] = [];
  const netns = netnsLeft(known, was);
  left.push(...netns.map((n) => `namespace ${n}`));
  for (const [ns, pids] of pidsInNetns(netns)) left.push(`processes ${pids.join(' ')} in ${ns}`);
  const links = readdirOrEmpty('/sys/class/net').filter((l) => !was.links.includes(l));
  left.push(...links.map((l) => `root link ${l}`));
  left.push(...processesLeft(place, known).map((p) => `process ${p}`));
  place.runs.forEach((r, i) => {
    left.push(...entriesUnder(r.cwd).map((p) => `run ${i + 1}'s working folder: ${p}`));
    left.push(...entriesUnder(r.tmp).map((p) => `run ${i + 1}'s TMPDIR: ${p}`));
  });
  // The folders that hold records, scratch and guest folders may stay; nothing in them.
  const skeleton = new Set(['runs', 'scratch', 'uml']);
  left.push(
    ...entriesUnder(place.state)
      .filter((p) => !skeleton.has(p))
      .map((p) => `state folder: ${p}`),
  );
  const reported = [...known.resultsFolders].map((f) => relative(place.out, f));
  left.push(
    ...entriesUnder(place.out)
      .filter((p) => !reported.some((f) => p === f || p.startsWith(`${f}/`)))
      .map((p) => `results folder: ${p}`),
  );
  return left;
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/**
 * Removes what the batch left, then its folders: its processes (SIGKILL), its dead runs
 * (`bondlab clean` on the shared state folder), namespaces of its ids that no record lists.
 */
export async function removeLeftovers(place: Place, known: Known): Promise<void> {
  // By pid, never by group: an empty group's id may be a stranger's by now.
  for (let round = 0; round < 3; round++) {
    for (const p of processesLeft(place, known)) kill(Number(p.split(' ')[0]));
  }
  await new Cli(['clean'], { env: { BONDLAB_STATE_DIR: place.state } }).exited;
  for (const n of listNetns()) {
    if (known.runIds.has(parseNetnsName(n)?.runId ?? '')) {
      spawnSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
    }
  }
  rmSync(place.root, { recursive: true, force: true });
  rmSync(place.state, { recursive: true, force: true });
}

/** The folders for `count` runs: a shared state folder, results folder, and one corner each. */
export function makePlace(count: number): Place {
  const root = mkdtempSync(join(tmpdir(), 'bondlab-concurrency-'));
  // Named as the tests name their state folders: other tests' leak checks know these runs.
  const state = mkdtempSync(join(tmpdir(), 'bondlab-state-'));
  const out = join(root, 'results');
  const runs = Array.from({ length: count }, (_, i) => ({
    cwd: join(root, `run-${i + 1}`, 'cwd'),
    tmp: join(root, `run-${i + 1}`, 'tmp'),
  }));
  for (const dir of [out, ...runs.flatMap((r) => [r.cwd, r.tmp])]) {
    mkdirSync(dir, { recursive: true });
  }
  return { root, state, out, runs };
}
