import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../errors.js';

/** The project's root: the nearest folder above this module with a package.json. */
export function projectRoot(): string {
  // From harness/kernels/ (sources run by tsx or tap) or dist/harness/kernels/ (the build).
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** Compiled files the guest runs, and the sources they are built from. */
const GUEST_MODULES = ['guest-main', 'guest-protocol'];

/**
 * The compiled guest entry (`dist/harness/kernels/guest-main.js`), which the guest runs with the
 * host's node. Guests run the build, never the sources: node starts in ~1 s inside UML and a
 * TypeScript loader would add to that. Raises if it is not built or older than its sources.
 */
export function guestEntryPath(root = projectRoot()): string {
  for (const name of GUEST_MODULES) {
    const built = join(root, 'dist', 'harness', 'kernels', `${name}.js`);
    const source = join(root, 'harness', 'kernels', `${name}.ts`);
    if (!existsSync(built)) {
      throw new EnvironmentError(`the guest entry is not built: ${built} is missing`, {
        hint: 'run `npm run build`',
      });
    }
    if (existsSync(source) && statSync(source).mtimeMs > statSync(built).mtimeMs) {
      throw new EnvironmentError(`the guest entry is older than its source: ${source}`, {
        hint: 'run `npm run build`',
      });
    }
  }
  return join(root, 'dist', 'harness', 'kernels', 'guest-main.js');
}
