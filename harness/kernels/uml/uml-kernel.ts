import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import { stateDir } from '../../lifecycle/records.js';
import type { RunContext } from '../../lifecycle/run-context.js';
import type { GuestJob, GuestKernel, GuestResult, GuestRunOptions } from '../guest.js';
import { checkTimeout } from '../guest-deadline.js';
import { guestEntryPath, projectRoot } from '../guest-entry.js';
import { validateGuestJob } from '../guest-job.js';
import { checkJobVisible } from '../guest-paths.js';
import { jobFileName } from '../guest-protocol.js';
import { runGuest } from '../guest-run.js';
import { umlCommandLine } from './command-line.js';
import { UmlProcess } from './guest-process.js';
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

  return runGuest(ctx, options, {
    kind: 'uml',
    hostStatus: (status) => status,
    notPassedOn: 'the guest kernel did not pass it on',
    job,
    nonce,
    jobFile,
    label: `stop uml guest ${umid}`,
    bootTimeoutMs: settings.bootTimeoutMs,
    stopGraceMs: STOP_GRACE_MS,
    setup: () => {
      ctx.trackPath(guestDir);
      mkdirSync(umlDir, { recursive: true, mode: 0o700 });
    },
    start: (onOutput) => UmlProcess.start(launch, umlDir, onOutput),
    // Killing this group kills the supervisor, and with it the guest's whole namespace.
    processGroup: (guest) => guest.pgid,
    // UML removes its folder itself, except after a panic or a SIGKILL.
    cleanup: () => {
      rmSync(guestDir, { recursive: true, force: true });
    },
  });
}
