import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import type { RunContext } from '../../lifecycle/run-context.js';
import type { GuestJob, GuestKernel, GuestResult, GuestRunOptions } from '../guest.js';
import { checkTimeout } from '../guest-deadline.js';
import { guestEntryPath, projectRoot } from '../guest-entry.js';
import { checkJobVisible } from '../guest-paths.js';
import { validateGuestJob } from '../guest-job.js';
import { jobFileName } from '../guest-protocol.js';
import { runGuest } from '../guest-run.js';
import { prepareBuiltKernel } from './built-kernel.js';
import { qemuCommandLine } from './command-line.js';
import { newestDebianKernel, prepareDebianKernel } from './debian-kernel.js';
import { QemuProcess } from './guest-process.js';
import { ensureInitramfs } from './initramfs.js';
import { findQemuInstall, type QemuInstall } from './install.js';
import type { PreparedKernel } from './prepared-kernel.js';

/** Which kernel: a Debian version, a file you built, or neither (the newest Debian kernel). */
export interface QemuKernelChoice {
  /** A Debian kernel package's version: `6.1.0-56-amd64` boots linux-image-6.1.0-56-amd64. */
  version?: string | undefined;
  /** A bzImage or PVH-capable vmlinux you built (see prepareBuiltKernel for its modules). */
  path?: string | undefined;
}

export interface QemuKernelOptions {
  /** Guest memory in MiB. */
  memoryMb?: number;
  /** Virtual CPUs (one host thread each under emulation). */
  cpus?: number;
  /** Launch until the command starts; a guest that takes longer is taken for hung. */
  bootTimeoutMs?: number;
  /** A self-built kernel's INSTALL_MOD_PATH folder (holds lib/modules/<release>). */
  modules?: string;
  /** More kernel command-line words, e.g. `loglevel=7` to see the bonding driver's messages. */
  append?: readonly string[];
}

/** A QEMU guest kernel, which can also be prepared ahead of its first run. */
export interface QemuKernel extends GuestKernel {
  kind: 'qemu';
  /**
   * Fetches and prepares the kernel (once; cached) and its initramfs. Runs do it themselves; call
   * it first to keep a download out of a run's boot time.
   */
  prepare: (options?: { signal?: AbortSignal; log?: (line: string) => void }) => Promise<QemuReady>;
}

export interface QemuReady {
  install: QemuInstall;
  kernel: PreparedKernel;
  initramfs: string;
}

const DEFAULT_MEMORY_MB = 1024;
const DEFAULT_CPUS = 2;
/**
 * Ready in 4.4 s (median) under emulation on an idle 2-core machine, 10-20 s when other work
 * keeps both cores busy: a minute is a hang.
 */
const DEFAULT_BOOT_TIMEOUT_MS = 60_000;
/** SIGTERM to SIGKILL: QEMU exits on SIGTERM at once. */
const STOP_GRACE_MS = 2_000;
const VERSION = /^\d+\.\d+[\w.+~-]*$/;
const APPEND_WORD = /^[\w.,:=/+@%-]+$/;

/**
 * QEMU: any Debian kernel (`qemu:6.1.0-56-amd64`, downloaded and prepared once) or one you built
 * (`qemu:/path/to/bzImage`), on the host's root filesystem (read-only, over 9p), with KVM when
 * /dev/kvm is usable and CPU emulation (TCG) otherwise. Under emulation the command starts 4.4 s
 * after launch (median, idle 2-core machine; bench/qemu-boot.ts).
 */
export function qemuKernel(
  choice: QemuKernelChoice = {},
  options: QemuKernelOptions = {},
): QemuKernel {
  if (choice.version !== undefined && choice.path !== undefined) {
    throw new InputError('kernel', choice, 'expected a Debian version or a path, not both');
  }
  if (choice.version !== undefined && !VERSION.test(choice.version)) {
    throw new InputError(
      'kernel',
      `qemu:${choice.version}`,
      'expected a Debian kernel version like 6.1.0-56-amd64',
    );
  }
  if (options.modules !== undefined && choice.path === undefined) {
    throw new InputError(
      'modules',
      options.modules,
      'only a self-built kernel (qemu:/path/to/bzImage) takes a modules folder',
    );
  }
  const memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  checkInteger('memoryMb', memoryMb, 128, 65_536);
  const cpus = options.cpus ?? DEFAULT_CPUS;
  checkInteger('cpus', cpus, 1, 64);
  const bootTimeoutMs = options.bootTimeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
  checkTimeout('bootTimeoutMs', bootTimeoutMs);
  const append = options.append ?? [];
  append.forEach((word, i) => {
    if (!APPEND_WORD.test(word)) {
      throw new InputError(
        `append[${i}]`,
        word,
        'expected one kernel command-line word without spaces or quotes',
      );
    }
  });

  let ready: Promise<QemuReady> | undefined;
  const prepare: QemuKernel['prepare'] = (prepareOptions = {}) => {
    ready ??= prepareQemu(choice, options.modules, prepareOptions).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  const label =
    choice.path !== undefined
      ? `qemu:${choice.path}`
      : choice.version !== undefined
        ? `qemu:${choice.version}`
        : 'qemu';
  return {
    kind: 'qemu',
    label,
    prepare,
    run: async (ctx, job, runOptions = {}) => {
      const prepared = await prepare({ signal: ctx.signal, log: ctx.log });
      return runQemu(ctx, job, runOptions, prepared, { memoryMb, cpus, bootTimeoutMs, append });
    },
  };
}

function checkInteger(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InputError(field, value, `expected an integer from ${min} to ${max}`);
  }
}

async function prepareQemu(
  choice: QemuKernelChoice,
  modules: string | undefined,
  options: { signal?: AbortSignal; log?: (line: string) => void },
): Promise<QemuReady> {
  const install = findQemuInstall();
  const kernel =
    choice.path !== undefined
      ? await prepareBuiltKernel(choice.path, { ...options, modules })
      : await prepareDebianKernel(
          choice.version ?? (await defaultVersion(options.signal)),
          options,
        );
  const initramfs = await ensureInitramfs(
    kernel.cacheDir,
    {
      busybox: install.busybox,
      init: join(projectRoot(), 'harness', 'kernels', 'qemu', 'init.sh'),
      modulesRoot: kernel.modulesRoot,
      release: kernel.release,
    },
    options.signal,
  );
  return { install, kernel, initramfs };
}

/** Plain `qemu`: the newest generic Debian kernel already in the cache, else the newest apt has. */
async function defaultVersion(signal: AbortSignal | undefined): Promise<string> {
  const newest = await newestDebianKernel(undefined, signal);
  if (newest === undefined) {
    throw new InputError(
      '--kernel',
      'qemu',
      'apt knows no Debian kernel: run `apt-get update`, or give qemu:/path/to/bzImage',
    );
  }
  return newest;
}

interface RunSettings {
  memoryMb: number;
  cpus: number;
  bootTimeoutMs: number;
  append: readonly string[];
}

async function runQemu(
  ctx: RunContext,
  job: GuestJob,
  options: GuestRunOptions,
  prepared: QemuReady,
  settings: RunSettings,
): Promise<GuestResult> {
  validateGuestJob(job);
  checkJobVisible(job);
  checkTimeout('timeoutMs', options.timeoutMs);
  const entry = guestEntryPath();
  ctx.throwIfAborted();

  const nonce = randomBytes(6).toString('hex');
  const jobFile = join(job.shareDir, jobFileName(nonce));
  const launch = qemuCommandLine({
    ...prepared,
    memoryMb: settings.memoryMb,
    cpus: settings.cpus,
    name: `bondlab-${ctx.id}-${nonce}`,
    node: process.execPath,
    entry,
    shareDir: job.shareDir,
    jobFile,
    append: settings.append,
  });

  return runGuest(ctx, options, {
    kind: 'qemu',
    hostStatus: debugExitStatus,
    notPassedOn: 'the guest did not pass it on to QEMU',
    job,
    nonce,
    jobFile,
    label: `stop qemu guest ${prepared.kernel.label}`,
    bootTimeoutMs: settings.bootTimeoutMs,
    stopGraceMs: STOP_GRACE_MS,
    start: (onOutput) => QemuProcess.start(launch, onOutput),
    processGroup: (guest) => guest.pid,
  });
}

/** QEMU's exit status for a guest that wrote `status` to the isa-debug-exit port. */
export function debugExitStatus(status: number): number {
  return ((status << 1) | 1) & 0xff;
}
