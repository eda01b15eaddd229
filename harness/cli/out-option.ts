import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.js';

const RULE = 'expected a folder to write results in (made if missing)';

/**
 * Checks a folder option such as `run --out` where it enters, before anything runs: one line of
 * text, not an option, and either a writable folder or a path whose nearest existing parent is
 * one. Creates nothing; the run makes the folder when it writes its first result.
 */
export function expectOutputFolder(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || /\p{Cc}/u.test(value)) {
    throw new InputError(field, value, `${RULE}: a path of one line`);
  }
  if (value.startsWith('-')) {
    throw new InputError(field, value, `${RULE}; this looks like an option (write ./${value})`);
  }
  let at = resolve(value);
  for (;;) {
    let isFolder: boolean | undefined;
    try {
      isFolder = statSync(at).isDirectory();
    } catch {
      isFolder = undefined; // missing: its parent decides
    }
    if (isFolder === false) {
      throw new InputError(field, value, `${RULE}; ${at} is a file`);
    }
    if (isFolder === true) {
      try {
        accessSync(at, constants.W_OK);
      } catch {
        throw new InputError(field, value, `${RULE}; ${at} is not writable`);
      }
      return value;
    }
    at = dirname(at);
  }
}
