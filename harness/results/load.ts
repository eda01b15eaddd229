import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { RUN_FILE_VERSION, type RunFile } from './run-file.js';

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
 * Reads a run.json (given it or its folder). Raises InputError naming the file when it is not a
 * run bondlab can read.
 */
export function readRunFile(path: string): RunFile {
  const file = runFilePath(path);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError('run', file, `expected a readable run.json (${(error as Error).message})`);
  }
  const version = (data as { version?: unknown } | null)?.version;
  if (version !== RUN_FILE_VERSION) {
    throw new InputError('run', file, `expected run.json version ${RUN_FILE_VERSION}, found ${String(version)}`);
  }
  return data as RunFile;
}
