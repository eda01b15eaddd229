import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { processStartTime } from '../../lifecycle/process-identity.js';

/**
 * Where prepared QEMU kernels live: `$BONDLAB_CACHE/qemu`, else `$XDG_CACHE_HOME/bondlab/qemu`,
 * else `~/.cache/bondlab/qemu`. One folder per kernel; deleting any of them is always safe.
 */
export function qemuCacheDir(): string {
  const base =
    process.env.BONDLAB_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bondlab');
  return join(base, 'qemu');
}

const TEMP_MARK = '.tmp-';

/** A temp name next to `path`, carrying our pid so a later sweep knows whether it is abandoned. */
function tempNameFor(path: string): string {
  return `${path}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Removes temp folders and files next to `path` whose creator is dead (a killed prepare). */
function sweepAbandoned(path: string): void {
  const dir = dirname(path);
  const prefix = `${basename(path)}${TEMP_MARK}`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && processStartTime(pid) === undefined) {
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
}

/**
 * Makes folder `dir` once: `build` fills a fresh temp folder beside it, which is renamed to `dir`
 * only when complete, so an interrupted prepare never leaves a half-made cache entry (and the next
 * prepare removes its temp folder). When two processes race, the first rename wins and the other
 * drops its copy. Returns false if `dir` already existed.
 */
export async function prepareOnce(
  dir: string,
  build: (tempDir: string) => Promise<void>,
): Promise<boolean> {
  if (isDir(dir)) return false;
  return withTempDir(dir, async (temp) => {
    await build(temp);
    try {
      renameSync(temp, dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Someone else finished first: theirs is as good as ours.
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && isDir(dir)) return false;
      throw error;
    }
    return true;
  });
}

/**
 * Runs `body` with a fresh temp folder beside `path` (same file system, so results can be renamed
 * into place) and removes it afterwards, whatever happens.
 */
export async function withTempDir<T>(path: string, body: (dir: string) => Promise<T>): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  sweepAbandoned(path);
  const temp = tempNameFor(path);
  mkdirSync(temp);
  try {
    return await body(temp);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Writes a file atomically: a temp file beside it, then rename. */
export function writeFileAtomic(path: string, data: Buffer | string): void {
  sweepAbandoned(path);
  const temp = tempNameFor(path);
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
