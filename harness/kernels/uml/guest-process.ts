import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { killProcessGroup } from '../../lifecycle/process-group.js';
import type { ProcessExit } from '../guest-error.js';
import type { UmlLaunch } from './command-line.js';

/**
 * The host side of one guest: `unshare`, our child, leads a process group of its own; its child,
 * supervise.sh, is the first process of a new PID namespace and runs linux.uml, which runs its
 * helpers and every guest process as host processes in that namespace. The supervisor's standard
 * input is the lifeline: when this process closes it, or dies, the supervisor stops the guest,
 * and when the supervisor ends, for any reason, the kernel kills all that is left in the
 * namespace.
 */
export class UmlProcess {
  /** The launcher's process group: SIGKILL to it ends the supervisor and so the whole guest. */
  readonly pgid: number;
  /** Settles when the launcher has exited and the output is read to the end. */
  readonly exited: Promise<ProcessExit>;
  readonly #child: ChildProcess;
  #exit: ProcessExit | undefined;

  private constructor(child: ChildProcess, pgid: number) {
    this.#child = child;
    this.pgid = pgid;
    this.exited = new Promise((resolve) => {
      // 'close' waits for the output pipes, which every guest process holds: when it comes, the
      // namespace is empty.
      child.once('close', (code, signal) => {
        this.#exit = { code: code ?? undefined, signal: signal ?? undefined };
        resolve(this.#exit);
      });
    });
  }

  /** Starts the guest's launcher; raises if it cannot start. */
  static async start(
    launch: UmlLaunch,
    cwd: string,
    onOutput: (stream: 'stdout' | 'stderr', chunk: Buffer) => void,
  ): Promise<UmlProcess> {
    const child = spawn(launch.file, launch.args, {
      cwd,
      env: launch.env,
      // stdin is the lifeline, never written to.
      stdio: ['pipe', 'pipe', 'pipe'],
      // A group of its own: a terminal's Ctrl-C goes to bondlab, which stops the guest in order.
      detached: true,
    });
    child.stdout.on('data', (chunk: Buffer) => {
      onOutput('stdout', chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      onOutput('stderr', chunk);
    });
    // The supervisor may be gone when the lifeline is closed: not an error.
    child.stdin.on('error', () => undefined);
    await once(child, 'spawn');
    // Later errors (a failed kill) are not fatal: the exit is what counts.
    child.on('error', () => undefined);
    return new UmlProcess(child, child.pid as number);
  }

  get hasExited(): boolean {
    return this.#exit !== undefined;
  }

  /**
   * Stops the guest: closes the lifeline (the supervisor sends linux.uml SIGTERM, which stops its
   * processes and removes its umid folder, then SIGKILL after 2 s), and if the guest is still
   * there after `graceMs`, SIGKILL to the launcher's group. Resolves once all is gone.
   */
  async stop(graceMs: number): Promise<ProcessExit> {
    if (this.#exit !== undefined) return this.#exit;
    this.#child.stdin?.destroy();
    const timer = new AbortController();
    const graceful = await Promise.race([
      this.exited.then(() => true),
      sleep(graceMs, false, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    if (!graceful) killProcessGroup(this.pgid);
    return this.exited;
  }
}
