import type { GuestKind, GuestResult } from './guest.js';
import type { StopReason } from './guest-deadline.js';
import { GuestError, type GuestErrorDetails, type ProcessExit } from './guest-error.js';
import type { GuestSession } from './guest-session.js';

/** How a guest kernel's host process reports the command's status, for `guestResult`. */
export interface ExitConvention {
  kind: GuestKind;
  /** The host process's exit status for a command that exited with `status`. */
  hostStatus: (status: number) => number;
  /** Said when the host process's status does not match the command's, e.g. "the guest kernel did not pass it on". */
  notPassedOn: string;
}

/** Where the guest was and what it showed, for an error. */
export function guestDetails(
  kind: GuestKind,
  session: GuestSession,
  exit: ProcessExit,
  startedAt: number,
): GuestErrorDetails {
  return {
    kind,
    phase:
      session.readyMs === undefined
        ? 'boot'
        : session.commandExit === undefined
          ? 'command'
          : 'shutdown',
    processExit: exit,
    consoleTail: session.console.tail,
    durationMs: performance.now() - startedAt,
  };
}

/** The error for a guest stopped by its deadline or an abort. */
export function stoppedError(reason: StopReason, d: GuestErrorDetails): GuestError {
  switch (reason.why) {
    case 'timeout':
      return new GuestError('E_COMMAND_TIMEOUT', `did not finish within ${reason.ms} ms`, d, {
        hint: 'raise the timeout, or look at the last console lines for where it hung',
      });
    case 'boot-timeout':
      return new GuestError('E_NOT_READY', `the command did not start within ${reason.ms} ms`, d, {
        hint: 'the guest hung while booting: see the last console lines',
      });
    case 'abort':
      return new GuestError('E_COMMAND_ABORTED', 'stopped: the run was aborted', d, {
        cause: reason.cause,
      });
  }
}

/** The result of a guest whose host process exited by itself, or the error that says why there is none. */
export function guestResult(
  convention: ExitConvention,
  session: GuestSession,
  exit: ProcessExit,
  startedAt: number,
): GuestResult {
  const d = guestDetails(convention.kind, session, exit, startedAt);
  const panic =
    session.panic === undefined ? undefined : `the guest kernel panicked: ${session.panic}`;
  if (session.readyMs === undefined || session.kernelRelease === undefined) {
    throw new GuestError('E_NOT_READY', panic ?? 'stopped before the command started', d, {
      hint:
        exit.code === convention.hostStatus(125)
          ? 'the guest init could not start the job: see the last console lines'
          : 'run `bondlab doctor`; the last console lines say how far the guest got',
    });
  }
  const reported = session.commandExit;
  if (reported === undefined) {
    throw new GuestError('E_COMMAND_FAILED', panic ?? 'stopped while the command ran', d, {
      hint: 'the last console lines say what the guest was doing',
    });
  }
  if (exit.code !== convention.hostStatus(reported.exitCode)) {
    throw new GuestError(
      'E_COMMAND_FAILED',
      `the command exited with ${reported.exitCode} but ${convention.notPassedOn}`,
      d,
    );
  }
  return {
    exitCode: reported.exitCode,
    kernelRelease: session.kernelRelease,
    kind: convention.kind,
    readyMs: session.readyMs,
    totalMs: d.durationMs,
    consoleTail: d.consoleTail,
  };
}
