import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { remoteJobArgv, READY_LINE, type JobLayout } from '../../harness/kernels/vagrant/job.js';
import { projectRoot } from '../../harness/kernels/guest-entry.js';
import { startTracked, type TrackedExit } from '../../harness/kernels/vagrant/process.js';
import { shCommand } from '../../harness/kernels/vagrant/quote.js';

// vagrant/guest/run-job.sh is what `vagrant ssh` runs in the VM. Here it runs on this machine,
// through `sh -c` with the same quoted command line the VM's shell gets, minus sudo and ssh.

const runJob = join(projectRoot(), 'vagrant', 'guest', 'run-job.sh');

/** A stand-in for the VM's copy of the project whose dependencies count as installed. */
function fakeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bondlab-vagrant-job-'));
  const pkg = '{"name":"fake"}\n';
  const lock = '{"lockfileVersion":3}\n';
  writeFileSync(join(dir, 'package.json'), pkg);
  writeFileSync(join(dir, 'package-lock.json'), lock);
  mkdirSync(join(dir, 'node_modules'));
  const sum = createHash('sha256').update(pkg).update(lock).digest('hex');
  writeFileSync(join(dir, 'node_modules', '.bondlab-deps.sha256'), `${sum}\n`);
  return dir;
}

const project = fakeProject();
t.teardown(() => {
  rmSync(project, { recursive: true, force: true });
});
const layout: JobLayout = { runJob, projectRoot: project, asRoot: [] };

interface Started {
  lines: string[];
  stop: () => Promise<TrackedExit>;
  done: Promise<TrackedExit>;
  ready: Promise<void>;
}

/** Starts `argv` the way the harness does: one quoted line for a shell, stdin as the lifeline. */
function startJob(argv: string[], env: Record<string, string> = {}, graceS = 15): Started {
  const command = shCommand(remoteJobArgv({ argv, cwd: project, env }, graceS, layout));
  const lines: string[] = [];
  let onReady = (): void => undefined;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const proc = startTracked('sh', ['-c', command], {
    stdin: 'pipe',
    stopWith: 'close-stdin',
    graceMs: (graceS + 10) * 1000,
    signal: new AbortController().signal,
    onLine: (line) => {
      lines.push(line);
      if (READY_LINE.test(line)) onReady();
    },
  });
  return { lines, stop: proc.stop, done: proc.done, ready };
}

/** Live (not zombie) processes of a process group, from /proc. */
function liveMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

/**
 * Whether the group has no live process left, waiting a little: a killed process whose parent
 * died is reaped by PID 1, which here may take a moment (and a zombie still counts for kill()).
 */
async function groupGone(pgid: number): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    if (liveMembers(pgid).length === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

void t.test('argv and env reach the job byte for byte; its status comes back', async (t) => {
  const words = [
    'two words',
    "it's",
    '; rm -rf /',
    '$(touch /tmp/bondlab-pwned)',
    '`id`',
    'a\nb',
    'déjà 日本語 🧪',
    '-n',
    '--',
    'A=b',
    '',
  ];
  const job = startJob(['sh', '-c', 'printf "[%s]\\n" "$V" "$@"; exit 7', 'sh', ...words], {
    V: "v $(x) 'q'",
  });
  const exit = await job.done;
  t.equal(exit.exitCode, 7);
  t.notOk(exit.stopped);
  t.match(job.lines[0], READY_LINE, 'the ready line comes first');
  t.equal(job.lines.slice(1).join('\n'), [`v $(x) 'q'`, ...words].map((w) => `[${w}]`).join('\n'));
});

void t.test('a job killed by a signal: 128 + the signal', async (t) => {
  const exit = await startJob(['sh', '-c', 'kill -s KILL $$']).done;
  t.equal(exit.exitCode, 137);
});

void t.test('closing the lifeline stops the job and its whole group', async (t) => {
  const pidFile = join(project, 'job.pid');
  const job = startJob([
    'sh',
    '-c',
    `echo $$ > ${pidFile}; trap 'echo job got TERM; exit 143' TERM; sleep 30 & wait`,
  ]);
  await job.ready;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const pgid = Number(readFileSync(pidFile, 'utf8'));
  t.not(liveMembers(pgid).length, 0, 'the job runs in a group of its own');
  const began = performance.now();
  const exit = await job.stop();
  t.ok(performance.now() - began < 5_000, 'stopped within seconds');
  t.equal(exit.exitCode, 143);
  t.ok(job.lines.includes('job got TERM'));
  t.ok(await groupGone(pgid), 'nothing of the job is left (not even its sleep)');
});

void t.test('a job that ignores SIGTERM gets SIGKILL after the grace time', async (t) => {
  const pidFile = join(project, 'stubborn.pid');
  const job = startJob(['sh', '-c', `echo $$ > ${pidFile}; trap '' TERM; sleep 30`], {}, 1);
  await job.ready;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const pgid = Number(readFileSync(pidFile, 'utf8'));
  const began = performance.now();
  const exit = await job.stop();
  const took = performance.now() - began;
  t.equal(exit.exitCode, 137);
  t.ok(took >= 900 && took < 5_000, `killed after the 1 s grace (${Math.round(took)} ms)`);
  t.ok(await groupGone(pgid));
});

void t.test(
  'SIGTERM to the wrapper (sshd hanging up, sudo relaying) reaches the job',
  async (t) => {
    const wrapperPidFile = join(project, 'wrapper.pid');
    // `exec` makes the wrapper the shell's pid: the process sudo would signal.
    const command = `echo $$ > ${wrapperPidFile}; exec ${shCommand(
      remoteJobArgv(
        {
          argv: ['sh', '-c', "trap 'echo job got TERM; exit 143' TERM; sleep 30 & wait"],
          cwd: project,
          env: {},
        },
        15,
        layout,
      ),
    )}`;
    const lines: string[] = [];
    const proc = startTracked('sh', ['-c', command], {
      stdin: 'pipe',
      stopWith: 'close-stdin',
      graceMs: 20_000,
      signal: new AbortController().signal,
      onLine: (line) => lines.push(line),
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    process.kill(Number(readFileSync(wrapperPidFile, 'utf8')), 'SIGTERM');
    const exit = await proc.done;
    t.equal(exit.exitCode, 143);
    t.ok(lines.includes('job got TERM'));
  },
);

void t.test('startTracked: SIGTERM first, then SIGKILL to the whole group', async (t) => {
  const pidFile = join(project, 'tracked.pid');
  const controller = new AbortController();
  const groups: number[] = [];
  const proc = startTracked('sh', ['-c', `trap '' TERM; sleep 30 & echo $! > ${pidFile}; wait`], {
    signal: controller.signal,
    graceMs: 300,
    onSpawn: (pgid) => groups.push(pgid),
  });
  t.same(groups, [proc.pid], 'the process group is reported at once');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const child = Number(readFileSync(pidFile, 'utf8'));
  controller.abort(new Error('test abort'));
  const exit = await proc.done;
  t.ok(exit.stopped);
  t.equal(exit.signal, 'SIGKILL');
  t.ok(await groupGone(proc.pid ?? 0), 'the group is gone, children included');
  t.notOk(existsSync(`/proc/${child}/stat`) && liveMembers(proc.pid ?? 0).includes(child));
});

void t.test('startTracked: a missing program is a start error, not a hang', async (t) => {
  const exit = await startTracked('/nonexistent/bondlab-no-such-program', [], {
    signal: new AbortController().signal,
    graceMs: 100,
  }).done;
  t.equal(exit.exitCode, undefined);
  t.ok(exit.startError);
  t.match(exit.stderr, /ENOENT/);
});
