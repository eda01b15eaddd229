import type { RunContext } from '../lifecycle/run-context.js';
import { CommandError } from './command-error.js';

/** FIFO priority for the harness's timing-critical helpers: above every normal process, far below the kernel's own threads (50+). */
const PRIORITY = '10';

/** `argv` under real-time (FIFO) scheduling, or as it is. */
export function realtimeArgv(argv: readonly string[], realtime: boolean): string[] {
  return realtime ? ['chrt', '--fifo', PRIORITY, ...argv] : [...argv];
}

/**
 * Starts a timing-critical helper (a fault driver, a probe agent) at real-time priority, so a busy
 * CPU (iperf3, a compiler) cannot delay it; where that is not allowed (a container without
 * CAP_SYS_NICE), at normal priority, saying so once. `start` must raise the CommandError of a
 * helper that exited before it was ready.
 */
export async function startRealtime<T>(
  run: RunContext,
  what: string,
  start: (realtime: boolean) => Promise<T>,
): Promise<T> {
  try {
    return await start(true);
  } catch (error) {
    if (!(error instanceof CommandError && error.stderr.includes('chrt:'))) throw error;
    run.log(
      `${what}: no real-time priority here (${error.stderr.trim()}); its timing is less exact`,
    );
    return start(false);
  }
}
