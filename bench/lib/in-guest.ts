import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseKernelChoice } from '../../harness/kernels/choice.js';
import { selectKernel, type KernelTarget } from '../../harness/kernels/select.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { projectRoot } from '../../harness/project.js';

/** The kernel `--kernel` names (default `fallback`), resolved as the CLI does. */
export async function benchKernel(fallback: string): Promise<KernelTarget> {
  const at = process.argv.indexOf('--kernel');
  return selectKernel(parseKernelChoice(at === -1 ? fallback : (process.argv[at + 1] ?? '')));
}

/**
 * Runs a benchmark script (its import.meta.url) inside a guest kernel with the same arguments and `--kernel host`,
 * streaming its output. Resolves with its exit status.
 */
export async function benchInGuest(target: KernelTarget, scriptUrl: string): Promise<number> {
  if (target.kind !== 'guest') throw new Error('benchInGuest: not a guest');
  const share = mkdtempSync(join(tmpdir(), 'bondlab-bench-'));
  try {
    const tsx = join(projectRoot(), 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const at = process.argv.indexOf('--kernel');
    const args = process.argv
      .slice(2)
      .filter((_, i) => at === -1 || (i !== at - 2 && i !== at - 1));
    const path = fileURLToPath(scriptUrl);
    const result = await withRun((ctx) =>
      target.guest.run(
        ctx,
        {
          argv: [process.execPath, tsx, path, ...args, '--kernel', 'host'],
          cwd: projectRoot(),
          shareDir: share,
        },
        {
          onOutput: (l) => {
            console.log(l);
          },
        },
      ),
    );
    console.log(`(inside ${target.guest.label}, kernel ${result.kernelRelease})`);
    return result.exitCode;
  } finally {
    rmSync(share, { recursive: true, force: true });
  }
}
