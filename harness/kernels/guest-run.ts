import { rmSync } from 'node:fs';
import type { RunContext } from '../lifecycle/run-context.js';
import type { GuestJob, GuestResult, GuestRunOptions } from './guest.js';
import { GuestDeadline } from './guest-deadline.js';
import type { ProcessExit } from './guest-error.js';
import { writeJobFile } from './guest-job.js';
import { guestDetails, guestResult, stoppedError, type ExitConvention } from './guest-outcome.js';
import { GuestSession } from './guest-session.js';

/** What the run loop needs of a guest kernel's host process. */
export interface GuestProcess {
  /** Settles when the process has exited and its output is read to the end. */
  readonly exited: Promise<ProcessExit>;
  /** Stops the guest, hard after `graceMs`; resolves once it is gone. */
  stop: (graceMs: number) => Promise<ProcessExit>;
}

/** One guest run as a guest kernel describes it to `runGuest`. */
export interface GuestLaunch<P extends GuestProcess> extends ExitConvention {
  job: GuestJob;
  nonce: string;
  /** The job file's path in the share folder (its name from jobFileName). */
  jobFile: string;
  /** Names the guest in the run's teardown list. */
  label: string;
  bootTimeoutMs: number;
  /** Stop to SIGKILL. */
  stopGraceMs: number;
  /** Runs after the teardown is registered, before the job file is written (folders, tracked paths). */
  setup?: () => void;
  /** Starts the guest's host process, its console output to `onOutput`. */
  start: (onOutput: (stream: 'stdout' | 'stderr', chunk: Buffer) => void) => Promise<P>;
  /** The process group to kill should the harness die (for the run record). */
  processGroup: (guest: P) => number;
  /** Removes what the guest kernel leaves on the host, after the guest is stopped. */
  cleanup?: () => void;
}

/**
 * Runs one job in a guest: registers the teardown, writes the job file, starts the guest, follows
 * its console until the host process exits or the deadline or an abort stops it, and turns that
 * into a result or a GuestError. The guest is stopped and its leftovers removed in every case.
 */
export async function runGuest<P extends GuestProcess>(
  ctx: RunContext,
  options: GuestRunOptions,
  launch: GuestLaunch<P>,
): Promise<GuestResult> {
  let guest: P | undefined;
  const teardown = async (): Promise<void> => {
    if (guest !== undefined) await guest.stop(launch.stopGraceMs);
    // The guest entry deletes the job file once read; this covers a guest that never got there.
    rmSync(launch.jobFile, { force: true });
    launch.cleanup?.();
  };
  const drop = ctx.defer(launch.label, teardown);
  try {
    launch.setup?.();
    ctx.trackPath(launch.jobFile);
    writeJobFile(launch.jobFile, launch.job, launch.nonce);

    const startedAt = performance.now();
    const deadline = new GuestDeadline({
      signals: [ctx.signal, options.signal],
      timeoutMs: options.timeoutMs,
      bootTimeoutMs: launch.bootTimeoutMs,
    });
    const session = new GuestSession(launch.nonce, startedAt, options.onOutput, () => {
      deadline.ready();
    });
    try {
      guest = await launch.start((stream, chunk) => {
        session.console.push(stream, chunk);
      });
      ctx.trackProcessGroup(launch.processGroup(guest));
      const running = guest;
      const outcome = await Promise.race([
        running.exited.then((exit) => ({ exit, stop: undefined })),
        deadline.stopped.then((stop) => ({ exit: undefined, stop })),
      ]);
      if (outcome.stop !== undefined) {
        const exit = await running.stop(launch.stopGraceMs);
        throw stoppedError(outcome.stop, guestDetails(launch.kind, session, exit, startedAt));
      }
      return guestResult(launch, session, outcome.exit, startedAt);
    } finally {
      deadline.dispose();
    }
  } finally {
    drop();
    await teardown();
  }
}
