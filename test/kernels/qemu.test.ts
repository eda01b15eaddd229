/**
 * The QEMU guest for real: a Debian kernel (downloaded and prepared on the first run) boots on the
 * host's root, makes an active-backup bond in a namespace and fails it over; a panic and a hang
 * come back as errors with the console's last lines; a harness killed with SIGKILL takes its
 * QEMU with it. No mocks: every test boots (or starts) a real QEMU.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { GuestError } from '../../harness/kernels/guest-error.js';
import { newestDebianKernel } from '../../harness/kernels/qemu/debian-kernel.js';
import { qemuKernel } from '../../harness/kernels/qemu/qemu-kernel.js';
import { cleanDeadRuns } from '../../harness/lifecycle/clean.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { ensureBuilt, isolateState, leaks, ROOT, snapshot } from '../fixtures/host.js';
import { pidsWhere } from '../fixtures/processes.js';

ensureBuilt();
isolateState(t);

/** KERNELS.md's measurements are of Debian 6.1 kernels: the newest one prepared, else apt's. */
const version = await newestDebianKernel((v) => /^6\.1\.0-\d+-amd64$/.test(v));
if (version === undefined)
  throw new Error('apt lists no linux-image-6.1.0-N-amd64: apt-get update');

const kernel = qemuKernel({ version });
const share = mkdtempSync(join(tmpdir(), 'bondlab-qemu-test-'));
t.teardown(() => {
  rmSync(share, { recursive: true, force: true });
});

/** The QEMU processes of this test file (they export its share folder), by pid. */
function qemuPids(): number[] {
  return pidsWhere(
    (argv) =>
      argv.some((a) => a.endsWith('qemu-system-x86_64')) && argv.some((a) => a.includes(share)),
  );
}

// Inside the guest: two veth slaves into a peer namespace, miimon 50; take the active slave's
// peer down and wait (up to 3 s) for the bond to switch. One `ip -b` per namespace setup.
const FAILOVER = `
set -e
ip netns add bond
ip netns add peer
ip -n bond -b - <<EOF
link add b0 type bond mode active-backup miimon 50
link add e0 type veth peer name p0 netns peer
link add e1 type veth peer name p1 netns peer
link set e0 master b0
link set e1 master b0
link set b0 up
EOF
ip -n peer -b - <<EOF
link set p0 up
link set p1 up
EOF
active() { ip -n bond -d -j link show b0 | grep -o '"active_slave":"[^"]*"' | cut -d'"' -f4; }
i=0; while [ -z "$(active)" ] && [ $i -lt 60 ]; do sleep 0.05; i=$((i+1)); done
before=$(active)
echo "before $before"
ip -n peer link set "p\${before#e}" down
i=0; while [ "$(active)" = "$before" ] && [ $i -lt 60 ]; do sleep 0.05; i=$((i+1)); done
echo "after $(active)"
ip netns exec bond cat /proc/net/bonding/b0
`;

void t.test('a Debian kernel boots, makes an active-backup bond and fails it over', async (t) => {
  const before = snapshot();
  const lines: string[] = [];
  const result = await withRun((ctx) =>
    kernel.run(
      ctx,
      { argv: ['/bin/sh', '-c', FAILOVER], cwd: ROOT, shareDir: share },
      { onOutput: (line) => lines.push(line), timeoutMs: 120_000 },
    ),
  );
  t.comment(
    `qemu:${version}: ready in ${Math.round(result.readyMs)} ms, total ${Math.round(result.totalMs)} ms`,
  );
  t.equal(result.exitCode, 0, lines.join('\n'));
  t.equal(result.kind, 'qemu');
  t.equal(result.kernelRelease, version);
  const active = (word: string): string | undefined =>
    lines.find((l) => l.startsWith(`${word} `))?.split(' ')[1];
  t.match(active('before'), /^e[01]$/, 'a slave was active');
  t.match(active('after'), /^e[01]$/, 'a slave is active after the failure');
  t.not(active('after'), active('before'), 'the other slave took over');
  t.ok(
    lines.some((l) => l.startsWith('Currently Active Slave: ')),
    '/proc/net/bonding/b0 is readable in the namespace',
  );
  t.same(qemuPids(), [], 'no QEMU is left');
  t.same(readdirSync(share), [], 'no job file is left in the share folder');
  t.same(leaks(before), { netns: [], links: [] }, 'nothing appeared on the host');
});

void t.test('a guest kernel panic is an error with the last console lines', async (t) => {
  // No init in the initramfs, no root device: the kernel panics at once.
  const broken = qemuKernel({ version }, { append: ['rdinit=/missing', 'root=/dev/missing'] });
  const error = await withRun((ctx) =>
    broken.run(ctx, { argv: ['/bin/true'], cwd: '/', shareDir: share }, { timeoutMs: 60_000 }),
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(error, GuestError);
  const guestError = error as GuestError;
  t.equal(guestError.code, 'E_NOT_READY');
  t.equal(guestError.phase, 'boot');
  t.match(guestError.message, /panicked/);
  t.ok(
    guestError.consoleTail.some((l) => l.includes('Kernel panic')),
    'the console tail shows the panic',
  );
  t.same(qemuPids(), [], 'no QEMU is left');
});

void t.test(
  'an init that cannot start the job says why, and QEMU passes its status on',
  async (t) => {
    // A later word wins: the share's mount point cannot be made on the read-only root.
    const broken = qemuKernel({ version }, { append: ['BONDLAB_SHARE=/bondlab-missing-share'] });
    const error = await withRun((ctx) =>
      broken.run(ctx, { argv: ['/bin/true'], cwd: '/', shareDir: share }, { timeoutMs: 60_000 }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.type(error, GuestError);
    const guestError = error as GuestError;
    t.equal(guestError.code, 'E_NOT_READY');
    t.same(guestError.processExit, { code: 251, signal: undefined }, 'isa-debug-exit: 2 * 125 + 1');
    t.match(guestError.hint, /guest init could not start the job/);
    t.ok(
      guestError.consoleTail.some((l) =>
        l.startsWith('bondlab-init: cannot mount /bondlab-missing-share'),
      ),
      'the console tail says what failed',
    );
    t.same(readdirSync(share), [], 'no job file is left in the share folder');
  },
);

void t.test(
  'a guest that does not get ready in time is stopped, with the console tail',
  async (t) => {
    const slow = qemuKernel({ version }, { bootTimeoutMs: 1_500 });
    const started = performance.now();
    const error = await withRun((ctx) =>
      slow.run(ctx, { argv: ['/bin/true'], cwd: '/', shareDir: share }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.type(error, GuestError);
    t.equal((error as GuestError).code, 'E_NOT_READY');
    t.match((error as GuestError).message, /did not start within 1500 ms/);
    t.ok(performance.now() - started < 10_000, 'stopped promptly');
    t.same(qemuPids(), [], 'no QEMU is left');
    t.same(readdirSync(share), [], 'no job file is left in the share folder');
  },
);

void t.test('an aborted run stops its guest at once', async (t) => {
  const controller = new AbortController();
  setTimeout(() => {
    controller.abort(new Error('the user pressed Ctrl-C'));
  }, 1_000);
  const started = performance.now();
  const error = await withRun((ctx) =>
    kernel.run(
      ctx,
      { argv: ['/bin/sleep', '60'], cwd: '/', shareDir: share },
      { signal: controller.signal },
    ),
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(error, GuestError);
  t.equal((error as GuestError).code, 'E_COMMAND_ABORTED');
  t.ok(performance.now() - started < 5_000, 'stopped promptly');
  t.same(qemuPids(), [], 'no QEMU is left');
  t.same(readdirSync(share), [], 'no job file is left in the share folder');
});

void t.test('a harness killed with SIGKILL takes its QEMU with it', async (t) => {
  await kernel.prepare();
  // A harness in its own process, which boots a guest that would run for a minute.
  const script = `
    import { withRun } from ${JSON.stringify(join(ROOT, 'harness/lifecycle/run-context.ts'))};
    import { qemuKernel } from ${JSON.stringify(join(ROOT, 'harness/kernels/qemu/qemu-kernel.ts'))};
    await withRun((ctx) => qemuKernel({ version: ${JSON.stringify(version)} }).run(ctx,
      { argv: ['/bin/sleep', '60'], cwd: '/', shareDir: ${JSON.stringify(share)} }));
  `;
  const harness = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: ROOT,
      stdio: 'ignore',
    },
  );
  const exited = once(harness, 'exit');
  let pids: number[] = [];
  for (let i = 0; i < 200 && pids.length === 0; i++) {
    await sleep(50);
    pids = qemuPids();
  }
  t.equal(pids.length, 1, 'the harness started QEMU');
  harness.kill('SIGKILL');
  await exited;
  for (let i = 0; i < 40 && qemuPids().length > 0; i++) await sleep(50);
  t.same(qemuPids(), [], 'QEMU died with its harness');
  // The job file the guest never read is the dead run's: the next run (or bondlab clean) removes it.
  const swept = await cleanDeadRuns();
  t.equal(swept.removedRuns.length, 1, 'the dead run is cleaned');
  t.same(readdirSync(share), [], 'its job file is gone');
});
