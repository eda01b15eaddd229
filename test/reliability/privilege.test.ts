/**
 * Privilege: run as a throwaway non-root user (setpriv), every command that builds, boots or
 * cleans gives one clear message (which command needs root, for what, what this process lacks,
 * how to run it), exits 2 and creates nothing; the commands that need no root work. Root without
 * the capabilities (an unprivileged container) gets the same, with the container's fix. The CLI
 * is a private install of the build (hostile/install.ts), readable by that user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ensureBuilt } from '../fixtures/host.js';
import { PrivateInstall } from './hostile/install.js';
import { makeCorner, runPrivately, type PrivateRun } from './hostile/private-run.js';

ensureBuilt();
const parent = mkdtempSync(join(tmpdir(), 'bondlab-privilege-'));
t.teardown(() => {
  rmSync(parent, { recursive: true, force: true });
});
chmodSync(parent, 0o755);
const install = new PrivateInstall(join(parent, 'install'));

// A name no one has: useradd refuses a taken one, and userdel must remove only ours.
const user = `blpriv${process.pid}`;
t.teardown(() => spawnSync('userdel', [user]));
execFileSync('useradd', [
  '--system',
  '--no-create-home',
  '--home-dir',
  '/nonexistent',
  '--shell',
  '/usr/sbin/nologin',
  user,
]);
const uid = execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim();

const AS_USER = [
  'setpriv',
  `--reuid=${user}`,
  `--regid=${user}`,
  '--clear-groups',
  '--inh-caps=-all',
];
// Root's uid, no capability at all: what a container started without --privileged gives.
const AS_CAPLESS_ROOT = ['setpriv', '--bounding-set=-all', '--inh-caps=-all'];

let corners = 0;
function bondlab(prefix: readonly string[], argv: readonly string[]): Promise<PrivateRun> {
  // Open to all: whatever the user's CLI might write there would show.
  const corner = makeCorner(parent, `run-${++corners}`, true);
  return runPrivately(corner, argv, { prefix, bin: install.bin, deadlineMs: 120_000 });
}

/** Commands that need root, with what the message says they need it for. */
const NEEDS_ROOT: readonly { argv: string[]; command: string; why: string }[] = [
  { argv: ['up', 'direct'], command: 'up', why: 'to build the topology in network namespaces' },
  {
    argv: ['up', 'bonded', '--kernel', 'uml'],
    command: 'up',
    why: 'to build the topology in network namespaces',
  },
  {
    argv: ['failover'],
    command: 'failover',
    why: 'to build the bonded pair in network namespaces',
  },
  {
    argv: ['calibrate'],
    command: 'calibrate',
    why: 'to build its two hosts and a switch in network namespaces',
  },
  { argv: ['run'], command: 'run', why: 'to create network namespaces' },
  {
    argv: ['run', 'seed-failover', '--kernel', 'uml'],
    command: 'run',
    why: 'to create network namespaces',
  },
  { argv: ['clean'], command: 'clean', why: "to remove dead runs' namespaces" },
  {
    argv: ['doctor', '--kernel', 'uml'],
    command: 'doctor --kernel',
    why: 'to boot a guest kernel and record it for bondlab clean',
  },
];

for (const { argv, command, why } of NEEDS_ROOT) {
  void t.test(
    `as a user, bondlab ${argv.join(' ')}: needs root, says so, creates nothing`,
    async (t) => {
      const res = await bondlab(AS_USER, argv);
      t.equal(res.code, 2, 'exit 2', { stderr: res.stderr });
      t.match(
        res.stderr,
        `bondlab: bondlab ${command} needs root ${why}`,
        'what needs root, for what',
      );
      t.match(
        res.stderr,
        `this process runs as uid ${uid} without CAP_NET_ADMIN and CAP_SYS_ADMIN; nothing was created`,
        'what this process lacks',
      );
      t.match(res.stderr, `hint: run it as root: sudo npx bondlab ${command}`, 'how to run it');
      t.equal(res.stderr.trim().split('\n').length, 2, 'one message and its hint, nothing else', {
        stderr: res.stderr,
      });
      t.notMatch(res.stderr, /^kernel: /m, 'no guest kernel chosen');
      t.same(res.leftovers, [], 'nothing created');
    },
  );
}

void t.test('as a user, the commands that need no root work', async (t) => {
  const list = await bondlab(AS_USER, ['list']);
  t.equal(list.code, 0, 'list: exit 0', { stderr: list.stderr });
  t.match(list.stdout, /^seed-failover +1 case /m, 'list names the scenarios');
  const help = await bondlab(AS_USER, ['--help']);
  t.equal(help.code, 0, '--help: exit 0');
  t.match(help.stdout, 'Usage: bondlab <command> [options]');
  const version = await bondlab(AS_USER, ['--version']);
  t.equal(version.code, 0, '--version: exit 0');
  for (const command of ['run', 'up', 'failover', 'calibrate', 'list', 'doctor', 'clean']) {
    const res = await bondlab(AS_USER, [command, '--help']);
    t.equal(res.code, 0, `${command} --help: exit 0`);
    t.match(res.stdout, `Usage: bondlab ${command}`);
    t.same(res.leftovers, [], `${command} --help creates nothing`);
  }
  t.same([...list.leftovers, ...help.leftovers, ...version.leftovers], [], 'nothing created');
});

void t.test('as a user, doctor says what is missing and how to fix it', async (t) => {
  const res = await bondlab(AS_USER, ['doctor']);
  // doctor's own contract: 2 when a run cannot proceed here.
  t.equal(res.code, 2, 'exit 2', { stderr: res.stderr });
  t.match(
    res.stdout,
    `MISS privileges     not root (uid ${uid}): lacks CAP_NET_ADMIN and CAP_SYS_ADMIN, so cannot create namespaces`,
  );
  t.match(res.stdout, 'fix: run as root (sudo), or in a container with --privileged');
  t.match(res.stdout, 'bondlab cannot run here yet: fix the MISS lines above.');
  t.notMatch(res.stdout, /^ok +netns/m, 'no kernel feature tried without privileges');
  t.same(res.leftovers, [], 'nothing created');
});

void t.test('as a user, bad input is still named before privileges', async (t) => {
  const res = await bondlab(AS_USER, ['failover', '--bond', 'mode=9']);
  t.equal(res.code, 2);
  t.match(res.stderr, 'bondlab: --bond mode: 9 is not allowed; expected a mode from 0 to 6');
  t.same(res.leftovers, []);
});

void t.test('root without capabilities: the container is named, and its fix', async (t) => {
  for (const argv of [['up', 'direct'], ['clean']]) {
    const res = await bondlab(AS_CAPLESS_ROOT, argv);
    t.equal(res.code, 2, `${argv.join(' ')}: exit 2`, { stderr: res.stderr });
    t.match(
      res.stderr,
      'this process is root but lacks CAP_NET_ADMIN and CAP_SYS_ADMIN (an unprivileged container?)',
    );
    t.match(res.stderr, 'hint: run it in a container started with --privileged');
    t.same(res.leftovers, [], 'nothing created');
  }
});
