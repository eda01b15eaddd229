import type { GuestKernel, GuestResult } from '../../harness/kernels/guest.js';
import { withRun } from '../../harness/lifecycle/run-context.js';

/**
 * Boots `kernel` once with a job that prints the guest's uptime as it starts: the result, and that
 * uptime in ms (NaN if the guest printed none), a cross-check from inside the guest.
 */
export async function bootWithUptime(
  kernel: GuestKernel,
  shareDir: string,
): Promise<{ res: GuestResult; uptime: number }> {
  let uptime = Number.NaN;
  const res = await withRun((ctx) =>
    kernel.run(
      ctx,
      { argv: ['/bin/cat', '/proc/uptime'], cwd: '/', shareDir },
      {
        onOutput: (line) => {
          uptime = Number(line.split(' ')[0]) * 1000;
        },
      },
    ),
  );
  return { res, uptime };
}
