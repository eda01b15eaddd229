/**
 * A private install of bondlab: what a user gets from `npm install` (package.json's "files"),
 * copied from this checkout's build. Two reasons: others rebuild the checkout's dist/ while the
 * corpus runs (a CLI started mid-build fails to import), and the CLI finds its scenarios next to
 * its own code, so a hostile scenario file can become an install's whole catalog and go through
 * the real `bondlab run` and `bondlab list` without touching the checkout's.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../fixtures/host.js';

/** What a scenario file may import, as the catalog's own files do. */
const PRELUDE = `import { bondedPair, defineScenario, directPair, lacpPair, switchedPair, uplinkPair } from '../harness/scenario/index.js';\n`;

export class PrivateInstall {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      files: string[];
    };
    // Readable by all: the privilege test runs it as a throwaway user.
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    // The TypeScript sources and the Vagrant VM are not needed to run.
    for (const f of pkg.files.filter((x) => x !== 'scenarios' && x !== 'vagrant')) {
      cpSync(join(ROOT, f), join(dir, f), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  }

  /** The launcher, to run as `node <bin> ...`. */
  get bin(): string {
    return join(this.dir, 'bin', 'bondlab.js');
  }

  /** Makes the catalog one module that default-exports `source`, JavaScript as compiled. */
  setScenario(source: string): void {
    const scenarios = join(this.dir, 'dist', 'scenarios');
    rmSync(scenarios, { recursive: true, force: true });
    mkdirSync(scenarios);
    writeFileSync(join(scenarios, 'hostile.js'), `${PRELUDE}export default ${source};\n`);
  }
}
