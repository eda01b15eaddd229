import { statSync, writeFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { InputError } from '../errors.js';
import type { GuestJob } from './guest.js';
import type { GuestJobFile } from './guest-protocol.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks a job where it enters a guest kernel: argv, cwd, env and the share folder, each error
 * naming the field, the value and what is allowed.
 */
export function validateGuestJob(job: GuestJob): void {
  if (job.argv.length === 0) throw new InputError('job.argv', job.argv, 'expected a command');
  job.argv.forEach((arg, i) => {
    if (arg.includes('\0')) throw new InputError(`job.argv[${i}]`, arg, 'NUL is not allowed');
  });
  if (!isAbsolute(job.cwd)) throw new InputError('job.cwd', job.cwd, 'expected an absolute path');
  for (const [name, value] of Object.entries(job.env ?? {})) {
    if (!ENV_NAME.test(name)) {
      throw new InputError('job.env', name, 'expected names of letters, digits and _');
    }
    if (value.includes('\0')) throw new InputError(`job.env.${name}`, value, 'NUL is not allowed');
  }
  if (!isAbsolute(job.shareDir)) {
    throw new InputError('job.shareDir', job.shareDir, 'expected an absolute path');
  }
  let isDir = false;
  try {
    isDir = statSync(job.shareDir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new InputError('job.shareDir', job.shareDir, 'expected an existing folder');
}

/** Writes the job file (a new file in the share folder, named by `jobFileName`). */
export function writeJobFile(path: string, job: GuestJob, nonce: string): void {
  const content: GuestJobFile = {
    version: 1,
    nonce,
    argv: job.argv,
    cwd: job.cwd,
    env: job.env ?? {},
  };
  writeFileSync(path, JSON.stringify(content), { mode: 0o600, flag: 'wx' });
}
