import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { killProcessGroup } from '../../lifecycle/process-group.js';
import type { ProcessExit } from '../guest-error.js';
import type { QemuLaunch } from './command-line.js';

/**
 * The host side of one QEMU: started as the leader of its own process group (so Ctrl-C in the
 * terminal reaches the harness only, which then stops the guest in order, and the run record can
 * name the group), its output, and its end.
 */
export class QemuProcess {
  readonly pid: number;
  /** Settles when QEMU has exited and its output is read to the end. */
  readonly exited: Promise<ProcessExit>;
  #exit: ProcessExit | undefined;

  private constructor(child: ChildProcess, pid: number) {
    this.pid = pid;
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.#exit = { code: code ?? undefined, signal: signal ?? undefined };
        resolve(this.#exit);
      });
    });
  }

  /** Starts QEMU; resolves once it runs, raises if it cannot start. */
  static async start(
    launch: QemuLaunch,
    onOutput: (stream: 'stdout' | 'stderr', chunk: Buffer) => void,
  ): Promise<QemuProcess> {
    const child = spawn(launch.file, launch.args, {
      cwd: '/',
      detached: true,
      // No console input: nothing is typed into the guest, data goes through the share folder.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      onOutput('stdout', chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      onOutput('stderr', chunk);
    });
    await once(child, 'spawn');
    // Later errors (a failed kill) are not fatal: the exit is what counts.
    child.on('error', () => undefined);
    if (child.pid === undefined) throw new Error(`${launch.file} started without a pid`);
    return new QemuProcess(child, child.pid);
  }

  /**
   * Stops the guest: SIGTERM to the group first (QEMU exits at once, ~10 ms), then SIGKILL if it
   * is still there after `graceMs`. Resolves once it has exited.
   */
  async stop(graceMs: number): Promise<ProcessExit> {
    if (this.#exit !== undefined) return this.#exit;
    killProcessGroup(this.pid, 'SIGTERM');
    const timer = new AbortController();
    const graceful = await Promise.race([
      this.exited.then(() => true),
      sleep(graceMs, false, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    if (!graceful) killProcessGroup(this.pid, 'SIGKILL');
    return this.exited;
  }
}
