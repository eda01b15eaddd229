import { isAbsolute } from 'node:path';
import { InputError } from '../errors.js';
import type { GuestJob } from './guest.js';

/*
 * Which host paths a guest can reach: every guest kernel boots on the host's root filesystem but
 * mounts its own /run, /dev, /proc and /sys, and takes some paths on its kernel command line. The
 * host's /tmp stays visible (read-only), since a checkout may live there; TMPDIR is /run/tmp.
 */

/** Characters a path may hold to be a kernel command-line word and a hostfs mount option. */
const WORD_SAFE = /^\/[A-Za-z0-9._/+@%:-]*$/;

/** Host folders the guest covers with its own mounts: the guest cannot see the host's files there. */
export const HIDDEN_IN_GUEST = ['/run', '/dev', '/proc', '/sys'];

/** True if `path` is `dir` or inside it. */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** Checks a host path the guest must reach through the command line; says why it cannot. */
export function checkGuestPath(field: string, path: string, mustBeVisible: boolean): void {
  if (!WORD_SAFE.test(path)) {
    throw new InputError(
      field,
      path,
      'a path handed to a guest kernel may hold only letters, digits and . _ / + @ % : - (no spaces, commas or quotes)',
    );
  }
  const hidden = HIDDEN_IN_GUEST.find((dir) => isWithin(path, dir));
  if (mustBeVisible && hidden !== undefined) {
    throw new InputError(
      field,
      path,
      `the guest mounts its own ${hidden}, so it cannot see this host path; move it elsewhere`,
    );
  }
}

/**
 * Checks that the job's working directory and program are visible in the guest: the host's tree
 * is, except under the folders the guest mounts its own tmpfs on, where only the share folder is.
 */
export function checkJobVisible(job: GuestJob): void {
  const places: [string, string][] = [['job.cwd', job.cwd]];
  const program = job.argv[0];
  if (program !== undefined && isAbsolute(program)) places.push(['job.argv[0]', program]);
  for (const [field, path] of places) {
    const hidden = HIDDEN_IN_GUEST.find((dir) => isWithin(path, dir));
    if (hidden !== undefined && !isWithin(path, job.shareDir)) {
      throw new InputError(
        field,
        path,
        `the guest mounts its own ${hidden}, so only the share folder is visible there`,
      );
    }
  }
}
