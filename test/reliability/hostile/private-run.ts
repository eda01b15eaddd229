/**
 * Runs the real CLI in a corner of its own and lists everything it left: files in its working
 * folder (where `./results` goes), its TMPDIR and its state folder (run records, scratch, guest
 * folders), processes of its process group or carrying its marker, and namespaces or root links
 * that appeared. Every run of bondlab records itself in the state folder before it creates a
 * namespace, a link, a temp folder or a guest, so an empty state folder says none was made.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseNetnsName } from '../../../harness/lifecycle/names.js';
import { ROOT } from '../../fixtures/host.js';

/**
 * What `ip netns list` lists (/run/netns) and the root namespace's links (/sys/class/net), read
 * without an exec: several runs share this process, and a synchronous exec would stall them all.
 */
const netnsNow = (): string[] => readdirOrEmpty('/run/netns');
const rootLinksNow = (): string[] => readdirOrEmpty('/sys/class/net');

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Private folders for one CLI run. */
export interface Corner {
  dir: string;
  /** The working folder: results land here unless --out says otherwise. */
  cwd: string;
  /** TMPDIR: every temp file bondlab makes goes under it. */
  tmp: string;
  /** BONDLAB_STATE_DIR: run records, scratch and guest folders. */
  state: string;
  /** Input files (topologies); not checked, they are ours. */
  input: string;
}

/** Makes the folders under `parent`; `shared` opens them to every user (for a non-root CLI). */
export function makeCorner(parent: string, name: string, shared = false): Corner {
  const dir = join(parent, name);
  const corner = {
    dir,
    cwd: join(dir, 'cwd'),
    tmp: join(dir, 'tmp'),
    state: join(dir, 'state'),
    input: join(dir, 'input'),
  };
  for (const d of [dir, corner.cwd, corner.tmp, corner.state, corner.input]) {
    mkdirSync(d, { recursive: true });
    if (shared) chmodSync(d, 0o777);
  }
  return corner;
}

export interface PrivateRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** It was still running at the safety deadline and was killed (a hang, or a real run). */
  killedAtDeadline: boolean;
  /** What it left, one line each; empty when it created nothing. */
  leftovers: string[];
}

export interface PrivateRunOptions {
  /** Run through this first, e.g. setpriv to drop root: `[...prefix, node, bondlab, ...argv]`. */
  prefix?: readonly string[];
  /** The bondlab launcher; default this checkout's bin/bondlab.js. */
  bin?: string;
  /**
   * Not a timing assertion: a safety net for an input that is not rejected and starts real work
   * (or blocks), so the test ends and cleans up instead of waiting on it.
   */
  deadlineMs?: number;
}

/** The environment a user's shell gives bondlab: no tap settings, no BONDLAB_* of our own. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        k !== 'NODE_OPTIONS' &&
        !k.startsWith('TAP') &&
        !k.startsWith('_TAPJS') &&
        !k.startsWith('BONDLAB_'),
    ),
  );
}

/** Runs `bondlab argv` in `corner`; resolves once it exited (or was killed at the deadline). */
export async function runPrivately(
  corner: Corner,
  argv: readonly string[],
  options: PrivateRunOptions = {},
): Promise<PrivateRun> {
  const marker = randomBytes(8).toString('hex');
  const before = { netns: netnsNow(), links: rootLinksNow() };
  const bin = options.bin ?? join(ROOT, 'bin', 'bondlab.js');
  // tap hooks every spawn of its test processes to add its process tracking to NODE_OPTIONS
  // (slower starts, and files a non-root CLI cannot write); `env -u` takes it out again.
  const child = spawn(
    'env',
    ['-u', 'NODE_OPTIONS', ...(options.prefix ?? []), process.execPath, bin, ...argv],
    {
      cwd: corner.cwd,
      env: {
        ...cleanEnv(),
        BONDLAB_STATE_DIR: corner.state,
        TMPDIR: corner.tmp,
        BONDLAB_HOSTILE_MARK: marker,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group and session: whatever it starts is found by either id afterwards.
      detached: true,
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const pid = child.pid as number;
  let killedAtDeadline = false;
  const timer = setTimeout(() => {
    killedAtDeadline = true;
    killGroup(pid);
  }, options.deadlineMs ?? 120_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('close', (c, s) => {
      resolve([c, s]);
    });
  });
  clearTimeout(timer);
  const leftovers = [
    ...filesUnder(corner.cwd, 'working folder'),
    ...filesUnder(corner.tmp, 'TMPDIR'),
    ...filesUnder(corner.state, 'state folder'),
    ...processesOf(pid, marker).map((p) => `process ${p}`),
    ...newNetns(before.netns).map((n) => `namespace ${n}`),
    ...rootLinksNow()
      .filter((l) => !before.links.includes(l))
      .map((l) => `root link ${l}`),
    ...tmpEntriesOf(pid).map((p) => `temp ${p}`),
  ];
  if (leftovers.length > 0) cleanUp(corner, pid, marker);
  return { code, signal, stdout, stderr, killedAtDeadline, leftovers };
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** Every file and folder under `dir`, relative, labelled. */
function filesUnder(dir: string, label: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map(
      // Quoted: a hostile name may hold a newline.
      (p) => `${label}: ${JSON.stringify(relative(dir, join(dir, p)))}`,
    );
  } catch {
    return [];
  }
}

/** Processes in the CLI's group or session, or with its marker in their environment. */
function processesOf(pid: number, marker: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [pgrp, session] = stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ')
        .slice(2, 4)
        .map(Number);
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (pgrp === pid || session === pid || env.includes(`BONDLAB_HOSTILE_MARK=${marker}`)) {
        const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
        found.push(`${entry} ${cmd.trim()}`);
      }
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/**
 * Run ids recorded by other runs on this machine (the default state folder and the tests' own):
 * their namespaces may come and go while ours runs, and are not ours.
 */
function foreignRunIds(): Set<string> {
  const dirs = ['/run/bondlab/runs'];
  for (const base of new Set([tmpdir(), '/tmp'])) {
    try {
      for (const name of readdirSync(base)) {
        if (name.startsWith('bondlab-state-')) dirs.push(join(base, name, 'runs'));
      }
    } catch {
      // no such folder
    }
  }
  const ids = new Set<string>();
  for (const dir of dirs) {
    try {
      for (const file of readdirSync(dir)) ids.add(file.replace(/\.json$/, ''));
    } catch {
      // none
    }
  }
  return ids;
}

/**
 * Namespaces that appeared, named like bondlab's (the only names it makes), and of no run another
 * state folder records (others' runs and tests come and go meanwhile).
 */
export function newNetns(before: readonly string[]): string[] {
  const foreign = foreignRunIds();
  return netnsNow().filter((n) => {
    const parsed = parseNetnsName(n);
    return !before.includes(n) && parsed !== undefined && !foreign.has(parsed.runId);
  });
}

/** Temp entries in the shared temp folders whose names carry the CLI's pid (as `tmp` names them). */
function tmpEntriesOf(pid: number): string[] {
  const found: string[] = [];
  for (const base of new Set([tmpdir(), '/tmp'])) {
    try {
      for (const name of readdirSync(base)) {
        if (name.startsWith('bondlab-') && name.includes(`-${pid}-`)) found.push(join(base, name));
      }
    } catch {
      // no such folder
    }
  }
  return found;
}

/** Removes what a run that was not rejected left: its processes, then its runs (`bondlab clean`). */
function cleanUp(corner: Corner, pid: number, marker: string): void {
  killGroup(pid);
  for (const p of processesOf(pid, marker)) {
    try {
      process.kill(Number(p.split(' ')[0]), 'SIGKILL');
    } catch {
      // gone already
    }
  }
  spawnSync(
    'env',
    ['-u', 'NODE_OPTIONS', process.execPath, join(ROOT, 'bin', 'bondlab.js'), 'clean'],
    {
      env: { ...cleanEnv(), BONDLAB_STATE_DIR: corner.state },
      stdio: 'ignore',
    },
  );
}
