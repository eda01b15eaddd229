import { cpSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A folder name from a kernel label: `qemu:6.1.0-53-amd64` → `qemu-6.1.0-53-amd64`. */
export function labelSlug(label: string): string {
  return label.replace(/^\/.*\//, 'built-').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
}

/** `2026-11-26T06-40-12Z`: sortable, and a valid file name everywhere. */
export function stamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** Writes a file atomically: a temp file beside it, then a rename, so a reader never sees half. */
export function writeAtomic(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text, { mode: 0o644 });
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Claims a fresh folder `<root>/<base>`, or `<base>-2`, `-3`... when that name is taken: mkdir is
 * an exclusive create, so two runs in one second (or one folder) never get the same name.
 */
function claimFolder(root: string, base: string): string {
  for (let n = 1; n < 100; n++) {
    const dir = join(root, n === 1 ? base : `${base}-${n}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`too many runs named ${base} in ${root}`);
}

/** Creates `<root>/<stamp>-<label>/` (a fresh name even for two runs in one second). */
export function runFolder(root: string, label: string, date = new Date()): string {
  mkdirSync(root, { recursive: true });
  return claimFolder(root, `${stamp(date)}-${labelSlug(label)}`);
}

/**
 * Moves every run folder a guest left in `from` into `root`; returns their new paths. Each keeps
 * its name unless another run has it: two guests started in the same second name their folders
 * alike, each in its own share, and the one collected second gets `<name>-2`.
 */
export function collectRuns(from: string, root: string): string[] {
  mkdirSync(root, { recursive: true });
  const moved: string[] = [];
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^\d{4}-\d\d-\d\dT/.test(entry.name)) continue;
    const source = join(from, entry.name);
    // Claimed empty: rename() replaces an empty folder (ours), and the copy fills it.
    const target = claimFolder(root, entry.name);
    try {
      // A share inside results/ is on the same filesystem: a rename, never half a folder.
      renameSync(source, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') {
        rmdirSync(target);
        throw error;
      }
      cpSync(source, target, { recursive: true, errorOnExist: true, force: false });
      rmSync(source, { recursive: true, force: true });
    }
    moved.push(target);
  }
  return moved;
}
