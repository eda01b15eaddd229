import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import { stateDir } from '../../lifecycle/records.js';
import type { RunContext } from '../../lifecycle/run-context.js';
import type { GuestJob, GuestKernel, GuestResult, GuestRunOptions } from '../guest.js';
import { GuestDeadline, type StopReason } from '../guest-deadline.js';
import { guestEntryPath, projectRoot } from '../guest-entry.js';
import { GuestError, type GuestErrorDetails } from '../guest-error.js';
import { validateGuestJob, writeJobFile } from '../guest-job.js';
import { jobFileName } from '../guest-protocol.js';
import { GuestSession } from '../guest-session.js';
import { checkJobVisible, umlCommandLine } from './command-line.js';
import { UmlProcess, type ProcessExit } from './guest-process.js';
import { findUmlInstall, findUmlScripts, memoryFileDir, umlRelease } from './install.js';

export interface UmlKernelOptions {
  /** Guest memory in MiB (backed by a file in /dev/shm, which only holds what the guest uses). */
  memoryMb?: number;
  /** Launch until the command starts; a guest that takes longer is taken for hung. */
  bootTimeoutMs?: number;
}

const DEFAULT_MEMORY_MB = 512;
const DEFAULT_BOOT_TIMEOUT_MS = 60_000;
/** Closing the lifeline to SIGKILL of the whole guest; the supervisor itself escalates after 2 s. */
const STOP_GRACE_MS = 5_000;

/**
 * User-mode Linux: a Linux kernel that runs as a process on this one, with bonding and the other
 * modules bondlab needs, on the host's own root filesystem (read-only). The command starts ~2 s
 * after launch (bench/guest-boot.ts: kernel and mounts ~0.6 s, node starting inside ~1 s), more
 * when the machine is busy.
 */
export function umlKernel(options: UmlKernelOptions = {}): GuestKernel {
  const memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  if (!Number.isInteger(memoryMb) || memoryMb < 64 || memoryMb > 65_536) {
    throw new InputError('memoryMb', memoryMb, 'expected an integer from 64 to 65536');
  }
  const bootTimeoutMs = options.bootTimeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
  checkTimeout('bootTimeoutMs', bootTimeoutMs);
  const release = umlRelease();
  return {
    kind: 'uml',
    label: release === undefined ? 'uml' : `uml ${release}`,
    run: (ctx, job, runOptions = {}) => runUml(ctx, job, runOptions, { memoryMb, bootTimeoutMs }),
  };
}

function checkTimeout(field: string, ms: number | undefined): void {
  if (ms !== undefined && !(Number.isInteger(ms) && ms > 0)) {
    throw new InputError(field, ms, 'expected a positive integer (milliseconds)');
  }
}

async function runUml(
  ctx: RunContext,
  job: GuestJob,
  options: GuestRunOptions,
  settings: { memoryMb: number; bootTimeoutMs: number },
): Promise<GuestResult> {
  validateGuestJob(job);
  checkJobVisible(job);
  checkTimeout('timeoutMs', options.timeoutMs);
  const install = findUmlInstall();
  const root = projectRoot();
  const entry = guestEntryPath(root);
  const scripts = findUmlScripts(root);
  ctx.throwIfAborted();

  const nonce = randomBytes(6).toString('hex');
  const umlDir = join(stateDir(), 'uml');
  const umid = `bondlab-${ctx.id}-${nonce}`;
  const guestDir = join(umlDir, umid);
  const jobFile = join(job.shareDir, jobFileName(nonce));
  const launch = umlCommandLine({
    install,
    memoryMb: settings.memoryMb,
    memoryDir: memoryFileDir(settings.memoryMb),
    umlDir,
    umid,
    init: scripts.init,
    supervisor: scripts.supervisor,
    node: process.execPath,
    entry,
    shareDir: job.shareDir,
    jobFile,
  });

  let guest: UmlProcess | undefined;
  const teardown = async (): Promise<void> => {
    if (guest !== undefined) await guest.stop(STOP_GRACE_MS);
    // The guest entry deletes the job file once read; this covers a guest that never got there.
    rmSync(jobFile, { force: true });
    // UML removes its folder itself, except after a panic or a SIGKILL.
    rmSync(guestDir, { recursive: true, force: true });
  };
  const drop = ctx.defer(`stop uml guest ${umid}`, teardown);
  try {
    ctx.trackPath(guestDir);
    ctx.trackPath(jobFile);
    mkdirSync(umlDir, { recursive: true, mode: 0o700 });
    writeJobFile(jobFile, job, nonce);

    const startedAt = performance.now();
    const deadline = new GuestDeadline({
      signals: [ctx.signal, options.signal],
      timeoutMs: options.timeoutMs,
      bootTimeoutMs: settings.bootTimeoutMs,
    });
    const session = new GuestSession(nonce, startedAt, options.onOutput, () => {
      deadline.ready();
    });
    try {
      guest = await UmlProcess.start(launch, umlDir, (stream, chunk) => {
        session.console.push(stream, chunk);
      });
      // Killing this group kills the supervisor, and with it the guest's whole namespace.
      ctx.trackProcessGroup(guest.pgid);
      const running = guest;
      const outcome = await Promise.race([
        running.exited.then((exit) => ({ exit, stop: undefined })),
        deadline.stopped.then((stop) => ({ exit: undefined, stop })),
      ]);
      if (outcome.stop !== undefined) {
        const exit = await running.stop(STOP_GRACE_MS);
        throw stoppedError(outcome.stop, details(session, exit, startedAt));
      }
      return result(session, outcome.exit, startedAt);
    } finally {
      deadline.dispose();
    }
  } finally {
    drop();
    await teardown();
  }
}

function details(session: GuestSession, exit: ProcessExit, startedAt: number): GuestErrorDetails {
  return {
    kind: 'uml',
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

function stoppedError(reason: StopReason, d: GuestErrorDetails): GuestError {
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

/** The guest's result, or the error that says why there is none. */
function result(session: GuestSession, exit: ProcessExit, startedAt: number): GuestResult {
  const d = details(session, exit, startedAt);
  const panic =
    session.panic === undefined ? undefined : `the guest kernel panicked: ${session.panic}`;
  if (session.readyMs === undefined || session.kernelRelease === undefined) {
    throw new GuestError('E_NOT_READY', panic ?? 'stopped before the command started', d, {
      hint:
        exit.code === 125
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
  if (exit.code !== reported.exitCode) {
    throw new GuestError(
      'E_COMMAND_FAILED',
      `the command exited with ${reported.exitCode} but the guest kernel did not pass it on`,
      d,
    );
  }
  return {
    exitCode: reported.exitCode,
    kernelRelease: session.kernelRelease,
    kind: 'uml',
    readyMs: session.readyMs,
    totalMs: d.durationMs,
    consoleTail: d.consoleTail,
  };
}
