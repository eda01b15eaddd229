/**
 * The UML guest for real: linux.uml boots on the host's root, makes an active-backup bond in a
 * namespace, hands the command's exit status back; a panic, a hang, a timeout and an abort come
 * back as errors with the console's last lines; a harness killed with SIGKILL takes its guest
 * with it. No mocks: every test that boots starts a real linux.uml.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { EnvironmentError, InputError } from '../../harness/errors.js';
import type { GuestJob, GuestRunOptions } from '../../harness/kernels/guest.js';
import { GuestError } from '../../harness/kernels/guest-error.js';
import {
  findUmlInstall,
  findUmlScripts,
  memoryFileDir,
  mountedNoexec,
  umlRelease,
} from '../../harness/kernels/uml/install.js';
import { umlKernel } from '../../harness/kernels/uml/uml-kernel.js';
import { cleanDeadRuns } from '../../harness/lifecycle/clean.js';
import { stateDir } from '../../harness/lifecycle/records.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { ensureBuilt, isolateState, leaks, ROOT, snapshot } from '../fixtures/host.js';
import { pidsWhere } from '../fixtures/processes.js';

ensureBuilt();
isolateState(t);

const kernel = umlKernel();
const share = mkdtempSync(join(tmpdir(), 'bondlab-uml-test-'));
t.teardown(() => {
  rmSync(share, { recursive: true, force: true });
});

/** The linux.uml processes (main and helpers) whose guest mounts `shareDir`. */
function umlPids(shareDir = share): number[] {
  return pidsWhere(
    (argv) =>
      argv.some((a) => a.endsWith('linux.uml')) && argv.includes(`BONDLAB_SHARE=${shareDir}`),
  );
}

/** What UML keeps on the host while a guest runs: its umid folders. */
function umidFolders(): string[] {
  try {
    return readdirSync(join(stateDir(), 'uml'));
  } catch {
    return [];
  }
}

function shellJob(script: string, shareDir = share): GuestJob {
  return { argv: ['/bin/sh', '-c', script], cwd: ROOT, shareDir };
}

/** Runs a job in a fresh run; resolves with the error it raised (undefined if none). */
async function failure(job: GuestJob, options: GuestRunOptions = {}): Promise<unknown> {
  return withRun((ctx) => kernel.run(ctx, job, options)).then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** After every test: no guest, no job file, no UML folder. */
function noLeftovers(t: Test): void {
  t.same(umlPids(), [], 'no linux.uml is left');
  t.same(readdirSync(share), [], 'no job file is left in the share folder');
  t.same(umidFolders(), [], 'no UML folder is left');
}

// A bond in a fresh namespace: bonding (and ipv6, which it needs) load by themselves.
const BOND = `
set -e
ip netns add t
ip -n t link add b0 type bond mode active-backup miimon 100
ip netns exec t cat /proc/net/bonding/b0
`;

void t.test('UML boots on the host root and makes a bond in a namespace', async (t) => {
  const before = snapshot();
  const lines: string[] = [];
  const result = await withRun((ctx) =>
    kernel.run(ctx, shellJob(BOND), { onOutput: (l) => lines.push(l), timeoutMs: 120_000 }),
  );
  t.comment(
    `${kernel.label}: ready in ${Math.round(result.readyMs)} ms, total ${Math.round(result.totalMs)} ms`,
  );
  t.equal(result.exitCode, 0, lines.join('\n'));
  t.equal(result.kind, 'uml');
  t.equal(result.kernelRelease, umlRelease());
  t.ok(result.readyMs > 0 && result.readyMs <= result.totalMs, 'ready comes before the end');
  t.ok(lines.includes('Bonding Mode: fault-tolerance (active-backup)'), lines.join('\n'));
  t.ok(lines.includes('MII Polling Interval (ms): 100'), 'the options reached the bond');
  t.notOk(
    lines.some((l) => l.includes('bondlab-guest') || l.includes('\r')),
    'only the command’s own lines, without carriage returns',
  );
  t.ok(result.consoleTail.length > 0 && result.consoleTail.length <= 30, 'a console tail is kept');
  t.same(leaks(before), { netns: [], links: [] }, 'nothing appeared on the host');
  noLeftovers(t);
});

void t.test('the exit status passes through, signals as 128 + N', async (t) => {
  const exit3 = await withRun((ctx) => kernel.run(ctx, shellJob('echo out; exit 3')));
  t.equal(exit3.exitCode, 3);
  const killed = await withRun((ctx) => kernel.run(ctx, shellJob('kill -TERM $$')));
  t.equal(killed.exitCode, 128 + 15);
  noLeftovers(t);
});

void t.test('output without a final newline still reaches the exit marker', async (t) => {
  const lines: string[] = [];
  const result = await withRun((ctx) =>
    kernel.run(ctx, shellJob('echo a; printf x'), { onOutput: (l) => lines.push(l) }),
  );
  t.equal(result.exitCode, 0);
  t.same(lines, ['a', 'x']);
  noLeftovers(t);
});

void t.test('stdout and stderr come back apart, in order within each', async (t) => {
  const lines: string[] = [];
  const result = await withRun((ctx) =>
    kernel.run(
      ctx,
      shellJob('echo out1; echo err1 >&2; echo out2; echo err2 >&2; printf err3 >&2; exit 4'),
      { onOutput: (l, stream) => lines.push(`${stream}:${l}`) },
    ),
  );
  t.equal(result.exitCode, 4);
  t.same(
    lines.filter((l) => l.startsWith('stdout:')),
    ['stdout:out1', 'stdout:out2'],
  );
  t.same(
    lines.filter((l) => l.startsWith('stderr:')),
    ['stderr:err1', 'stderr:err2', 'stderr:err3'],
    'stderr, its last line unfinished, before the exit status',
  );
  noLeftovers(t);
});

void t.test('a job that cannot start exits 127, and env and cwd reach it', async (t) => {
  const lines: string[] = [];
  const job: GuestJob = {
    argv: ['/bin/sh', '-c', 'echo "$GREETING from $(pwd) in $TMPDIR"'],
    cwd: '/usr/lib',
    env: { GREETING: 'hello world' },
    shareDir: share,
  };
  const ok = await withRun((ctx) => kernel.run(ctx, job, { onOutput: (l) => lines.push(l) }));
  t.equal(ok.exitCode, 0);
  t.same(lines, ['hello world from /usr/lib in /run/tmp'], 'TMPDIR is the guest’s own /run/tmp');
  const missing = await withRun((ctx) =>
    kernel.run(ctx, { argv: ['/no/such/program'], cwd: '/', shareDir: share }),
  );
  t.equal(missing.exitCode, 127);
  noLeftovers(t);
});

void t.test('a guest kernel panic is an error with the last console lines', async (t) => {
  const error = await failure(shellJob('echo c > /proc/sysrq-trigger'), { timeoutMs: 60_000 });
  t.type(error, GuestError);
  const e = error as GuestError;
  t.equal(e.code, 'E_COMMAND_FAILED');
  t.equal(e.phase, 'command');
  t.match(e.message, /panicked: Kernel panic - not syncing: sysrq triggered crash/);
  t.ok(
    e.consoleTail.some((l) => / panic\+0x/.test(l)),
    'the console tail shows the stack',
  );
  noLeftovers(t);
});

void t.test('a timeout stops the guest with a clear error', async (t) => {
  const started = performance.now();
  const error = await failure(shellJob('echo running; exec sleep 600'), { timeoutMs: 8_000 });
  const took = performance.now() - started;
  t.type(error, GuestError);
  t.equal((error as GuestError).code, 'E_COMMAND_TIMEOUT');
  t.match((error as GuestError).message, /uml guest: did not finish within 8000 ms/);
  t.ok(took < 12_000, `stopped promptly (${Math.round(took)} ms)`);
  noLeftovers(t);
});

void t.test('a guest that does not get ready in time is stopped', async (t) => {
  const impatient = umlKernel({ bootTimeoutMs: 300 });
  const error = await withRun((ctx) => impatient.run(ctx, shellJob('true'))).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(error, GuestError);
  t.equal((error as GuestError).code, 'E_NOT_READY');
  t.equal((error as GuestError).phase, 'boot');
  t.match((error as GuestError).message, /did not start within 300 ms/);
  noLeftovers(t);
});

void t.test('aborting the caller’s signal stops the guest mid-command', async (t) => {
  const controller = new AbortController();
  const error = await failure(shellJob('echo running; exec sleep 600'), {
    signal: controller.signal,
    onOutput: (line) => {
      if (line === 'running') controller.abort(new Error('enough'));
    },
  });
  t.type(error, GuestError);
  t.equal((error as GuestError).code, 'E_COMMAND_ABORTED');
  t.equal((error as GuestError).phase, 'command');
  t.match((error as GuestError).cause, { message: 'enough' });
  noLeftovers(t);
});

void t.test('a harness killed with SIGKILL takes its guest with it', async (t) => {
  const own = mkdtempSync(join(tmpdir(), 'bondlab-uml-kill-'));
  t.teardown(() => {
    rmSync(own, { recursive: true, force: true });
  });
  const shmBefore = readdirSync('/dev/shm');
  // A harness in its own process: it boots a guest whose command would run for ten minutes, and
  // says so once the command runs.
  const script = `
    import { withRun } from ${JSON.stringify(join(ROOT, 'harness/lifecycle/run-context.ts'))};
    import { umlKernel } from ${JSON.stringify(join(ROOT, 'harness/kernels/uml/uml-kernel.ts'))};
    await withRun((ctx) => umlKernel().run(ctx,
      { argv: ['/bin/sh', '-c', 'echo running; exec sleep 600'], cwd: '/', shareDir: ${JSON.stringify(own)} },
      { onOutput: (line) => console.log(line) }));
  `;
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('TAP')),
  );
  const harness = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = once(harness, 'exit');
  let out = '';
  let err = '';
  harness.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  harness.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  for (let i = 0; i < 1200 && !out.includes('running'); i++) await sleep(50);
  t.ok(out.includes('running'), `the guest’s command runs ${err}`);
  const pids = umlPids(own);
  t.ok(pids.length > 1, `linux.uml and its helpers run (${pids.length} processes)`);
  t.same(readdirSync(own), [], 'the guest already removed its job file');

  harness.kill('SIGKILL');
  const killedAt = performance.now();
  await exited;
  while (umlPids(own).length > 0 && performance.now() - killedAt < 5_000) await sleep(5);
  const goneMs = performance.now() - killedAt;
  t.comment(`guest gone ${Math.round(goneMs)} ms after the harness was killed`);
  t.same(umlPids(own), [], 'the guest died with its harness');
  t.ok(goneMs < 2_000, `within 2 s (${Math.round(goneMs)} ms)`);
  t.same(readdirSync(own), [], 'nothing is left in the share folder');
  t.same(umidFolders(), [], 'UML removed its folder');
  t.same(
    readdirSync('/dev/shm').filter((f) => !shmBefore.includes(f)),
    [],
    'nothing is left in /dev/shm',
  );
  // Only the dead run's record is left, for the next run (or bondlab clean) to sweep.
  const swept = await cleanDeadRuns();
  t.equal(swept.removedRuns.length, 1, 'the dead run is cleaned');
});

void t.test('a missing linux.uml, script or memory room says what to do', async (t) => {
  t.throws(() => findUmlInstall('/nonexistent'), EnvironmentError);
  t.throws(() => findUmlInstall('/nonexistent'), {
    code: 'E_ENVIRONMENT',
    message: /linux\.uml/,
    hint: /apt-get install -y user-mode-linux/,
  });
  t.throws(() => findUmlScripts(share), {
    code: 'E_ENVIRONMENT',
    message: /harness\/kernels\/uml\/init\.sh is missing/,
  });
  t.match(findUmlScripts(ROOT), { init: /\/init\.sh$/, supervisor: /\/supervise\.sh$/ });
  t.equal(memoryFileDir(64), '/dev/shm', 'guest memory lives in RAM when it fits');
  t.throws(() => memoryFileDir(2 ** 40), {
    code: 'E_ENVIRONMENT',
    message: /no place for the uml guest's \d+ MiB of memory: \/dev\/shm has \d+ MiB free/,
    hint: /--tmpfs \/tmp:exec/,
  });
});

void t.test('a noexec /dev/shm (as Docker mounts it) is not used for guest memory', async (t) => {
  const line = (point: string, options: string): string =>
    `30 1 0:27 / ${point} ${options} shared:5 - tmpfs tmpfs rw`;
  const docker = [line('/', 'rw,relatime'), line('/dev/shm', 'rw,nosuid,nodev,noexec')].join('\n');
  t.ok(mountedNoexec('/dev/shm', docker), 'noexec on /dev/shm');
  t.notOk(mountedNoexec('/', docker), 'not on /');
  t.notOk(
    mountedNoexec('/dev/shm', [docker, line('/dev/shm', 'rw,nosuid')].join('\n')),
    'a later mount over the same point wins',
  );
  t.notOk(mountedNoexec('/dev/shm', line('/dev/shm2', 'rw,noexec')), 'only its own mount point');
  t.ok(mountedNoexec('/dev/shm', line('/dev', 'rw,noexec')), 'a parent mount holds it');
  t.notOk(mountedNoexec('/no/such/folder'), 'unreadable: assumed exec');
});

void t.test('a job the guest could not see is refused before anything starts', async (t) => {
  // The guest mounts its own /run: a host folder there is out of its sight (/tmp is not).
  const hidden = join('/run', 'bondlab-elsewhere');
  mkdirSync(hidden, { recursive: true });
  t.teardown(() => {
    rmSync(hidden, { recursive: true, force: true });
  });
  const cases: [GuestJob, RegExp][] = [
    [{ argv: ['/bin/true'], cwd: hidden, shareDir: share }, /job\.cwd.*only the share folder/],
    [{ argv: ['/bin/true'], cwd: '/', shareDir: `${share},x` }, /job\.shareDir/],
    [{ argv: [], cwd: '/', shareDir: share }, /job\.argv/],
    [{ argv: ['/bin/true'], cwd: '/', env: { 'A-B': '1' }, shareDir: share }, /job\.env/],
  ];
  for (const [job, message] of cases) {
    const error = await failure(job);
    t.type(error, InputError);
    t.match((error as InputError).message, message);
  }
  t.throws(() => umlKernel({ memoryMb: 1 }), InputError);
  noLeftovers(t);
});
