import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from './errors.js';

/** The project's root: the nearest folder above this module with a package.json. */
export function projectRoot(): string {
  // From harness/ (sources run by tsx or tap) or dist/harness/ (the build).
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** Raises unless `built` exists and is not older than `source` (when the sources are here). */
function requireFresh(built: string, source: string): void {
  if (!existsSync(built)) {
    throw new EnvironmentError(`not built: ${built} is missing`, { hint: 'run `npm run build`' });
  }
  if (existsSync(source) && statSync(source).mtimeMs > statSync(built).mtimeMs) {
    throw new EnvironmentError(`the build is older than its source: ${source}`, {
      hint: 'run `npm run build`',
    });
  }
}

/**
 * The compiled form of a module that runs as its own node process (a guest's entry):
 * `dist/<module>.js`. Those run the build, never the sources: node starts in ~1 s inside UML and a
 * TypeScript loader would add to that. Raises if it is not built, or older than any of `modules`
 * (the module and the local modules it imports), paths relative to the root without extension,
 * e.g. `harness/kernels/guest-main`.
 */
export function builtModulePath(
  modules: readonly [string, ...string[]],
  root = projectRoot(),
): string {
  for (const name of modules) {
    requireFresh(join(root, 'dist', `${name}.js`), join(root, `${name}.ts`));
  }
  return join(root, 'dist', `${modules[0]}.js`);
}

/**
 * A native program that `npm run build` compiles from C: `dist/<name>` from `<name>.c`, e.g.
 * `harness/measure/probe-agent`. Raises if it is not built, or older than its source.
 */
export function builtProgramPath(name: string, root = projectRoot()): string {
  const built = join(root, 'dist', name);
  requireFresh(built, join(root, `${name}.c`));
  return built;
}
