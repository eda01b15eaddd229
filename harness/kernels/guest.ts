import type { RunContext } from '../lifecycle/run-context.js';

/**
 * One execution model for every guest kernel: the guest sees the host's root filesystem read-only
 * (so node, iproute2, iperf3 and this project are the host's), runs one command in the same working
 * directory, streams its console to the host, and hands back the command's exit status. A writable
 * host folder (`shareDir`) is mounted at the same path inside; job input and results go through it.
 */
export interface GuestJob {
  /** The command to run inside the guest, as argv (absolute paths: the host's tree is there). */
  argv: string[];
  /** Working directory for the command, a host path. */
  cwd: string;
  /** Extra environment for the command. */
  env?: Record<string, string>;
  /** A writable host folder, mounted at the same path in the guest. */
  shareDir: string;
}

export interface GuestRunOptions {
  signal?: AbortSignal | undefined;
  /** Hard limit for boot + command + shutdown. */
  timeoutMs?: number;
  /** Each line the command writes, as it arrives, with the stream it wrote it to. */
  onOutput?: GuestOutput;
}

/**
 * Receives a guest command's output line by line. Where the guest's console is one stream (User-mode
 * Linux, QEMU), stderr lines come back tagged by the guest entry and are told apart here.
 */
export type GuestOutput = (line: string, stream: 'stdout' | 'stderr') => void;

export interface GuestResult {
  /** The command's exit status inside the guest. */
  exitCode: number;
  /** `uname -r` inside the guest. */
  kernelRelease: string;
  kind: GuestKind;
  /** Launch of the guest until the command started, ms. */
  readyMs: number;
  totalMs: number;
  /** The last console lines, for errors. */
  consoleTail: string[];
}

export type GuestKind = 'uml' | 'qemu' | 'vagrant';

export interface GuestKernel {
  kind: GuestKind;
  /** Human label, e.g. "uml 6.1.0-..." or "qemu:6.1.0-53-amd64". */
  label: string;
  /**
   * Boots the guest, runs the job, and shuts it down. Registers the guest's teardown with the run
   * before launch, and the guest's process group with the run record, so neither Ctrl-C nor a
   * kill -9 of the harness leaves a guest behind.
   */
  run: (ctx: RunContext, job: GuestJob, options?: GuestRunOptions) => Promise<GuestResult>;
}
