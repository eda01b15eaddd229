import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { UmlLaunch } from './command-line.js';

export interface ProcessExit {
  code: number | undefined;
  signal: string | undefined;
}

/**
 * The host side of one linux.uml: its process (UML makes itself the leader of a new session and
 * process group, whose id is its pid, and forks helpers into it), its output and its end.
 */
export class UmlProcess {
  readonly pid: number;
  /** Settles when linux.uml has exited and its output is read to the end. */
  readonly exited: Promise<ProcessExit>;
  readonly #child: ChildProcess;
  #exit: ProcessExit | undefined;

  private constructor(child: ChildProcess, pid: number) {
    this.#child = child;
    this.pid = pid;
    // Helpers left in the group (a panic, a hard kill) would hold the output pipes open.
    child.once('exit', () => killGroup(pid, 'SIGKILL'));
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.#exit = { code: code ?? undefined, signal: signal ?? undefined };
        resolve(this.#exit);
      });
    });
  }

  /** Starts linux.uml; resolves once it runs, raises if it cannot start. */
  static async start(
    launch: UmlLaunch,
    cwd: string,
    onOutput: (stream: 'stdout' | 'stderr', chunk: Buffer) => void,
  ): Promise<UmlProcess> {
    const child = spawn(launch.file, launch.args, {
      cwd,
      env: launch.env,
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
    return new UmlProcess(child, child.pid);
  }

  get hasExited(): boolean {
    return this.#exit !== undefined;
  }

  /**
   * Stops the guest: SIGTERM first (UML kills its group and removes its folder), then SIGKILL to
   * the whole group if it is still there after `graceMs`. Resolves once it has exited.
   */
  async stop(graceMs: number): Promise<ProcessExit> {
    if (this.#exit !== undefined) return this.#exit;
    this.#child.kill('SIGTERM');
    const timer = new AbortController();
    const graceful = await Promise.race([
      this.exited.then(() => true),
      sleep(graceMs, false, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    if (!graceful) {
      killGroup(this.pid, 'SIGKILL');
      this.#child.kill('SIGKILL');
    }
    return this.exited;
  }
}

/** Signals a process group; false if it no longer exists. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
