import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { RUN_FILE_VERSION, type RunFile } from './run-file.js';
import { validateRunFile } from './schema.js';

/** A run folder or its run.json → the run.json's path. */
export function runFilePath(path: string): string {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new InputError('run', path, 'expected a run folder or its run.json, and it does not exist');
  }
  return isDir ? join(path, 'run.json') : path;
}

/**
 * Version 1 is refused, not migrated: it lived for a few hours of development, and it recorded
 * neither the selection, nor the environment, nor whether the run completed, while its raw
 * results predate fields version 2 requires. A migrated file would be mostly invented.
 */
function checkVersion(version: unknown, file: string): void {
  if (version === RUN_FILE_VERSION) return;
  if (version === 1) {
    throw new InputError(
      `${file}: version`,
      1,
      `expected run.json version ${RUN_FILE_VERSION}; version 1 (bondlab before the environment fingerprint) records no environment, selection or run status, so it cannot be compared or merged honestly: run the scenarios again`,
    );
  }
  throw new InputError(
    `${file}: version`,
    version,
    typeof version === 'number' && version > RUN_FILE_VERSION
      ? `expected run.json version ${RUN_FILE_VERSION}: this one was written by a newer bondlab`
      : `expected run.json version ${RUN_FILE_VERSION}: is this a bondlab run.json?`,
  );
}

/**
 * Reads a run.json (given it or its folder) and checks it against results/run.schema.json. Raises
 * InputError naming the file, and for a file that does not match, the first failing path and
 * what was expected there. The file is returned as written: a `running` status is for
 * `effectiveStatus` (status.ts) to interpret.
 */
export function readRunFile(path: string): RunFile {
  const file = runFilePath(path);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError('run', file, `expected a readable run.json (${(error as Error).message})`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new InputError('run', file, 'expected a run.json: a JSON object');
  }
  checkVersion((data as { version?: unknown }).version, file);
  return validateRunFile(data, file);
}
