import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../../errors.js';
import type { GuestJob } from '../guest.js';

/** Where vagrant/Vagrantfile puts the project in the VM (its GUEST_ROOT; a test checks both). */
export const GUEST_PROJECT_ROOT = '/bondlab';

/** The Node.js that vagrant/provision/system.sh installs in the VM. */
export const GUEST_NODE = '/usr/local/bin/node';

/** The wrapper that runs a job in the VM (vagrant/guest/run-job.sh), as the VM sees it. */
export const GUEST_RUN_JOB = `${GUEST_PROJECT_ROOT}/vagrant/guest/run-job.sh`;

/** A job as the VM runs it. */
export interface GuestSideJob {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** The host cwd is not in the VM (neither in the project nor in the share): cwd is the share. */
  cwdMoved: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function inside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/**
 * Translates a job's host paths for the VM. The VM has a copy of the project at
 * GUEST_PROJECT_ROOT (rsync) and a copy of `shareDir` at the same path as on the host (tar over
 * ssh); every other path is the VM's own. So a word that is a path inside the project is moved
 * under GUEST_PROJECT_ROOT, a word inside `shareDir` is kept, and the host's node (`argv[0]` equal
 * to `hostNode`) becomes the VM's. Only whole words are translated (`--out=/path` is not).
 * A `cwd` outside both has no counterpart in the VM: the job then starts in `shareDir` (and a
 * relative path among its arguments will not resolve). Env names must be names.
 */
export function toGuestJob(
  job: GuestJob,
  projectRoot: string,
  hostNode: string = process.execPath,
): GuestSideJob {
  const root = resolve(projectRoot);
  const share = resolve(job.shareDir);
  if (!isAbsolute(job.shareDir) || share.split('/').filter(Boolean).length < 2) {
    // The VM gets its own copy at this path and loses it after the job: never a top folder.
    throw new InputError(
      'shareDir',
      job.shareDir,
      'an absolute host path at least two folders deep (e.g. /tmp/bondlab-1234) is required',
    );
  }
  const word = (w: string): string => {
    if (!isAbsolute(w)) return w;
    const p = resolve(w);
    if (inside(p, share)) return w;
    if (inside(p, root)) return GUEST_PROJECT_ROOT + p.slice(root.length);
    return w;
  };
  const [first, ...rest] = job.argv;
  if (first === undefined) throw new InputError('argv', job.argv, 'a command is required');
  const hostCwd = resolve(job.cwd);
  // A folder elsewhere on the host does not exist in the VM: the job starts in the share instead.
  const cwdMoved = !inside(hostCwd, root) && !inside(hostCwd, share);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(job.env ?? {})) {
    if (!ENV_NAME.test(name)) {
      throw new InputError(`env.${name}`, name, 'a variable name is letters, digits and _');
    }
    env[name] = word(value);
  }
  return {
    argv: [first === hostNode ? GUEST_NODE : word(first), ...rest.map(word)],
    cwd: cwdMoved ? share : word(hostCwd),
    env,
    cwdMoved,
  };
}
