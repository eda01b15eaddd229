import { run } from '../exec/run.js';
import { withRun } from '../lifecycle/run-context.js';

/**
 * Whether this kernel can create a bond: tries one in a throwaway namespace of a real run, so the
 * probe is torn down like anything else. A probe, not a feature: kernels/ knows nothing else of
 * bonds.
 */
export async function hostHasBonding(): Promise<boolean> {
  return withRun(async (r) => {
    const ns = r.netns('probe');
    r.deferNetns([ns]);
    await run(['ip', 'netns', 'add', ns], { signal: r.signal });
    const res = await run(['ip', 'link', 'add', 'probe0', 'type', 'bond'], {
      netns: ns,
      signal: r.signal,
      okExitCodes: [1, 2],
    });
    return res.exitCode === 0;
  });
}
