import {
  accessSync,
  constants,
  readdirSync,
  readFileSync,
  realpathSync,
  statfsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../../errors.js';
import { installHint } from '../../exec/run.js';
import { findOnPath } from '../find-program.js';

/** Where Debian's user-mode-linux package puts the guest's modules, one folder per release. */
export const UML_MODULES_DIR = '/usr/lib/uml/modules';

/** The host programs a UML guest needs, as absolute paths. */
export interface UmlInstall {
  /** The UML kernel, `linux.uml`. */
  binary: string;
  /** The guest's `uname -r`, from its modules folder. */
  release: string;
  /** util-linux `unshare`: gives each guest a PID namespace, which dies with its supervisor. */
  unshare: string;
}

/** The UML kernel's release: the one folder under /usr/lib/uml/modules. */
export function umlRelease(modulesDir = UML_MODULES_DIR): string | undefined {
  try {
    return readdirSync(modulesDir).sort().at(-1);
  } catch {
    return undefined;
  }
}

/** PATH plus the system folders: a non-login root shell may lack sbin, where modprobe lives. */
export function searchPath(): string {
  return `${process.env.PATH ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin`;
}

/**
 * Finds linux.uml, its modules and the helpers it needs on `path`, or says exactly what to
 * install. Checked on every run (a few stat calls), so an install made meanwhile is picked up.
 */
export function findUmlInstall(path = searchPath()): UmlInstall {
  const binary = findOnPath('linux.uml', path);
  const release = umlRelease();
  if (binary === undefined || release === undefined) {
    throw new EnvironmentError(
      binary === undefined
        ? 'linux.uml (User-mode Linux) is not installed: the uml kernel needs it'
        : `linux.uml is installed but ${UML_MODULES_DIR} holds no modules folder`,
      { hint: installHint('linux.uml') },
    );
  }
  // Module autoload inside the guest runs the host's modprobe.
  if (findOnPath('modprobe', path) === undefined) {
    throw new EnvironmentError('modprobe (kmod) is not installed: the uml guest loads modules', {
      hint: installHint('modprobe'),
    });
  }
  const unshare = findOnPath('unshare', path);
  if (unshare === undefined) {
    throw new EnvironmentError('unshare is not installed: it ties each uml guest to bondlab', {
      hint: 'apt-get update && apt-get install -y util-linux',
    });
  }
  return { binary, release, unshare };
}

/** The fixed files a UML guest runs from this project: absolute paths. */
export interface UmlScripts {
  /** The guest's init (its folder also holds fstab and modprobe.sh, which it uses). */
  init: string;
  /** Runs linux.uml on the host, tied to bondlab. */
  supervisor: string;
}

/** Finds the guest scripts under the project root; raises if the install lacks them. */
export function findUmlScripts(root: string): UmlScripts {
  const dir = join(root, 'harness', 'kernels', 'uml');
  for (const [name, mode] of [
    ['init.sh', constants.X_OK],
    ['modprobe.sh', constants.X_OK],
    ['fstab', constants.R_OK],
    ['supervise.sh', constants.R_OK],
  ] as const) {
    try {
      accessSync(join(dir, name), mode);
    } catch {
      throw new EnvironmentError(
        `${join(dir, name)} is missing${mode === constants.X_OK ? ' or not executable' : ''}: the uml guest needs it`,
        { hint: 'reinstall bondlab (its package must ship harness/kernels/uml/)' },
      );
    }
  }
  return { init: join(dir, 'init.sh'), supervisor: join(dir, 'supervise.sh') };
}

/** Free space of a folder's filesystem in MiB, undefined if it cannot be read. */
function freeMb(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return (s.bavail * s.bsize) / 2 ** 20;
  } catch {
    return undefined;
  }
}

/**
 * Whether the filesystem `dir` is on is mounted noexec (from /proc/self/mountinfo: the mount with
 * the longest mount point that holds `dir`); false when that cannot be read.
 */
export function mountedNoexec(dir: string, mountinfo?: string): boolean {
  let path: string;
  let text: string;
  try {
    path = realpathSync(dir);
    text = mountinfo ?? readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return false;
  }
  let best: { point: string; noexec: boolean } | undefined;
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const point = fields[4]?.replace(/\\(\d{3})/g, (_, o: string) =>
      String.fromCharCode(parseInt(o, 8)),
    );
    if (point === undefined) continue;
    const holds = point === '/' || path === point || path.startsWith(`${point}/`);
    // Later lines are mounted over earlier ones at the same point.
    if (holds && (best === undefined || point.length >= best.point.length)) {
      best = { point, noexec: (fields[5] ?? '').split(',').includes('noexec') };
    }
  }
  return best?.noexec ?? false;
}

/**
 * Where UML may keep the file that backs guest memory (its TMPDIR): /dev/shm, which is RAM,
 * when it has room for all of the guest's memory and is not mounted noexec (UML maps the file
 * executable, and refuses to start on noexec: Docker mounts /dev/shm so), else the temp folder.
 * A container's /dev/shm is often 64 MiB, and a guest that outgrows its memory file dies of
 * SIGBUS.
 */
export function memoryFileDir(memoryMb: number): string {
  const refused: string[] = [];
  for (const dir of ['/dev/shm', tmpdir()]) {
    if (mountedNoexec(dir)) {
      refused.push(`${dir} is mounted noexec`);
      continue;
    }
    const free = freeMb(dir);
    if (free !== undefined && free >= memoryMb) return dir;
    refused.push(`${dir} has ${free === undefined ? 'no readable' : Math.floor(free)} MiB free`);
  }
  throw new EnvironmentError(
    `no place for the uml guest's ${memoryMb} MiB of memory: ${refused.join(', ')}`,
    {
      hint: 'free some space, or give the temp folder room on an exec mount (in Docker: --tmpfs /tmp:exec,size=1g), or ask for less guest memory',
    },
  );
}
