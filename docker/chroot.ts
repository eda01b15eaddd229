/**
 * Running commands in a root filesystem the way a container runtime would: the mounts a container
 * gets, each unmount registered before its mount (a teardown stack, run on success, error and
 * signals), and every command in its own PID namespace whose end kills whatever it left running.
 *
 * The whole check runs inside a private mount namespace (see check-build.ts), so these mounts
 * never propagate to the host and vanish with the check even after a SIGKILL; unmounting them in
 * order still matters, because the roots are removed afterwards and must not hold mounts then.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Cleanup steps, run last-registered first. */
export class Teardown {
  readonly #steps: { label: string; fn: () => Promise<void> }[] = [];

  push(label: string, fn: () => Promise<void>): void {
    this.#steps.push({ label, fn });
  }

  /** Runs every step (later ones even if earlier ones fail); returns the failures. */
  async run(): Promise<string[]> {
    const failures: string[] = [];
    for (let step = this.#steps.pop(); step !== undefined; step = this.#steps.pop()) {
      try {
        await step.fn();
      } catch (error) {
        failures.push(`${step.label}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return failures;
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Stops whatever command is running when the check is interrupted. */
const running = new Set<number>();

/** SIGTERM to the process groups of the commands still running, SIGKILL 5 s later. */
export function stopRunning(): void {
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  setTimeout(() => {
    for (const pgid of running) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }, 5_000).unref();
}

/**
 * Runs argv (no shell) in a process group of its own, its output shown as it comes (prefixed)
 * and kept. Raises only if it cannot start.
 */
export async function exec(
  argv: readonly string[],
  options: { env?: NodeJS.ProcessEnv; quiet?: boolean } = {},
): Promise<Exit> {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('exec: empty argv');
  const child = spawn(file, args, {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => {
    out.push(b);
    if (options.quiet !== true) process.stdout.write(b);
  });
  child.stderr.on('data', (b: Buffer) => {
    err.push(b);
    if (options.quiet !== true) process.stderr.write(b);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => {
      if (child.pid !== undefined) running.add(child.pid);
    });
    child.once('close', (code, signal) => {
      if (child.pid !== undefined) running.delete(child.pid);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
  });
}

/** exec, raising unless the exit status is 0. */
export async function must(argv: readonly string[], options: { quiet?: boolean } = {}) {
  const r = await exec(argv, options);
  if (r.code !== 0) {
    throw new Error(
      `${argv.join(' ')} failed (${r.signal ?? `exit ${r.code}`})${options.quiet === true ? `: ${r.stderr.trim()}` : ''}`,
    );
  }
  return r;
}

/** Mounts one filesystem with its unmount registered first (lazily if it is still busy). */
async function mountOne(t: Teardown, target: string, argv: string[]): Promise<void> {
  t.push(`umount ${target}`, async () => {
    if (!isMountPoint(target)) return;
    const r = await exec(['umount', target], { quiet: true });
    if (r.code !== 0) await must(['umount', '--lazy', target], { quiet: true });
  });
  await must([...argv, target], { quiet: true });
}

/** Whether a path is a mount point in this mount namespace. */
export function isMountPoint(path: string): boolean {
  return mountsUnder(path).includes(path);
}

/** Mount points at or below `dir` in this mount namespace (from /proc/self/mountinfo). */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}

/** A file to bind over (created empty first when missing, removed again if it was). */
async function bindFile(t: Teardown, source: string, target: string, ro: boolean) {
  if (!existsSync(target)) {
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, '');
    t.push(`remove ${target}`, () => {
      rmSync(target, { force: true });
      return Promise.resolve();
    });
  }
  await mountOne(t, target, ['mount', '--bind', ...(ro ? ['-o', 'ro'] : []), source]);
}

export interface ContainerMounts {
  /** sysfs read-only (a build step) or read-write (a --privileged run). */
  sysReadOnly: boolean;
  /** Host files bound read-only over files of the root: /etc/resolv.conf, a CA bundle. */
  files?: [host: string, inRoot: string][];
  /** Host folders bound at root paths: volumes. */
  folders?: [host: string, inRoot: string, readOnly: boolean][];
  /** tmpfs mounts (docker run --tmpfs PATH:OPTIONS). */
  tmpfs?: [inRoot: string, options: string][];
}

/**
 * The mounts Docker gives a container, on `root`: sysfs, the host's /dev (what --privileged
 * exposes), and /dev/shm as Docker makes it by default (tmpfs, 64 MiB, noexec). /proc is mounted
 * per command (runInRoot), since it shows the PID namespace of whoever mounts it.
 */
export async function mountContainer(t: Teardown, root: string, m: ContainerMounts) {
  // A container's root is a mount point (its overlay); a chroot's folder is not, and
  // `ip netns exec` fails on it ("mount --make-rslave /": Invalid argument). Bound onto itself,
  // it is one, and the mounts below go on top.
  await mountOne(t, root, ['mount', '--bind', root]);
  await mountOne(t, join(root, 'sys'), [
    'mount',
    '-t',
    'sysfs',
    '-o',
    m.sysReadOnly ? 'ro,nosuid,nodev,noexec' : 'rw,nosuid,nodev,noexec',
    'sysfs',
  ]);
  await mountOne(t, join(root, 'dev'), ['mount', '--bind', '/dev']);
  await mountOne(t, join(root, 'dev', 'shm'), [
    'mount',
    '-t',
    'tmpfs',
    '-o',
    'rw,nosuid,nodev,noexec,size=64m',
    'shm',
  ]);
  for (const [host, inRoot] of m.files ?? []) await bindFile(t, host, join(root, inRoot), true);
  for (const [inRoot, options] of m.tmpfs ?? []) {
    await mountOne(t, join(root, inRoot), ['mount', '-t', 'tmpfs', '-o', options, 'tmpfs']);
  }
  for (const [host, inRoot, ro] of m.folders ?? []) {
    mkdirSync(join(root, inRoot), { recursive: true });
    await mountOne(t, join(root, inRoot), ['mount', '--bind', ...(ro ? ['-o', 'ro'] : []), host]);
  }
}

/** A command inside the root: its working directory, environment and network. */
export interface InRoot {
  root: string;
  workdir: string;
  env: Record<string, string>;
  /** A network namespace of its own with loopback up (a container), or the host's (a build). */
  ownNetwork: boolean;
  quiet?: boolean;
}

/**
 * Runs argv inside the root like a container process: a new PID namespace (its first process
 * dies with unshare, and takes every other process of the namespace with it), its own /proc, the
 * image's environment only, and the working directory set before exec.
 */
export function runInRoot(argv: readonly string[], o: InRoot): Promise<Exit> {
  // $1 is the working directory; the rest is the command. Nothing is interpolated into the script.
  const script = `${o.ownNetwork ? 'ip link set lo up || exit 125; ' : ''}cd -- "$1" || exit 125; shift; exec "$@"`;
  return exec(
    [
      '/usr/bin/unshare',
      '--pid',
      '--fork',
      '--kill-child',
      `--mount-proc=${join(o.root, 'proc')}`,
      ...(o.ownNetwork ? ['--net'] : []),
      '--',
      '/usr/sbin/chroot',
      o.root,
      '/bin/sh',
      '-c',
      script,
      'sh',
      o.workdir,
      ...argv,
    ],
    { env: o.env, quiet: o.quiet ?? false },
  );
}
