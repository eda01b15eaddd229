import { batchLine, type BatchTool } from '../exec/batch.js';
import { Daemon } from '../exec/daemon.js';
import { realtimeArgv, startRealtime } from '../exec/realtime.js';
import { namespacedArgv } from '../exec/run.js';
import { BondlabError } from '../errors.js';
import type { RunContext } from '../lifecycle/run-context.js';
import { monotonicMs } from '../measure/clock.js';

const READY_TIMEOUT_MS = 30_000;
/** A line that fails on purpose: its error on stderr proves ip reads and runs what we write. */
const HANDSHAKE = ['link', 'show', 'dev', 'bondlab-handshake'] as const;

/**
 * A long-lived `ip -force -batch -` (or tc) in one namespace, fed one line at a time: a fault is a
 * write to a pipe, not an exec (70-180 ms inside User-mode Linux), so its moment is known to well
 * under a millisecond. A failing line is reported by ip on stderr as `Command failed -:N`; the
 * driver maps N back to the command.
 */
export class FaultDriver {
  readonly netns: string;
  readonly tool: BatchTool;
  readonly #daemon: Daemon;
  readonly #lines: string[] = [];

  private constructor(run: RunContext, netns: string, tool: BatchTool, realtime: boolean) {
    this.netns = netns;
    this.tool = tool;
    const argv = namespacedArgv([tool, '-force', '-batch', '-'], netns);
    // Real-time priority: a fault is applied when it is written, not when the scheduler gets to it.
    this.#daemon = Daemon.start(run, realtimeArgv(argv, realtime), { graceMs: 500 });
  }

  /** Starts the driver (at real-time priority where allowed) and waits until it runs commands. */
  static start(run: RunContext, netns: string, tool: BatchTool): Promise<FaultDriver> {
    return startRealtime(run, 'fault driver', (realtime) =>
      FaultDriver.#start(run, netns, tool, realtime),
    );
  }

  static async #start(
    run: RunContext,
    netns: string,
    tool: BatchTool,
    realtime: boolean,
  ): Promise<FaultDriver> {
    const driver = new FaultDriver(run, netns, tool, realtime);
    driver.#write(tool === 'tc' ? ['qdisc', 'show', 'dev', 'bondlab-handshake'] : HANDSHAKE);
    try {
      await driver.#daemon.waitForLine(
        (line) => line.startsWith('Command failed -:1'),
        `${tool} batch handshake`,
        READY_TIMEOUT_MS,
        run.signal,
        'stderr',
      );
    } catch (error) {
      await driver.#daemon.stop();
      throw error;
    }
    return driver;
  }

  #write(words: readonly (string | number)[]): void {
    const line = batchLine(this.tool, words);
    this.#lines.push(line);
    this.#daemon.write(line);
  }

  /** Runs one command now; returns the monotonic ms just before it was handed to ip. */
  apply(words: readonly (string | number)[]): number {
    const line = batchLine(this.tool, words);
    const at = monotonicMs();
    this.#lines.push(line);
    this.#daemon.write(line);
    return at;
  }

  /** Commands that failed so far (besides the handshake), with what the kernel said. */
  failures(): string[] {
    const stderr = this.#daemon.stderrTail;
    const failed: string[] = [];
    for (let i = 0; i < stderr.length; i++) {
      const n = /^Command failed -:(\d+)/.exec(stderr[i] ?? '')?.[1];
      if (n === undefined || n === '1') continue;
      const said = stderr[i - 1] ?? '';
      failed.push(`\`${this.tool} ${this.#lines[Number(n) - 1] ?? '?'}\`: ${said}`);
    }
    return failed;
  }

  /** Raises if any command failed. */
  check(): void {
    const failed = this.failures();
    if (failed.length > 0) {
      throw new BondlabError(
        'E_FAULT_FAILED',
        `fault command failed in namespace ${this.netns}:\n  ${failed.join('\n  ')}`,
      );
    }
  }

  /** Ends the driver once it has run everything written to it. */
  async close(): Promise<void> {
    this.#daemon.endInput();
    await this.#daemon.waitForExit(10_000).catch(() => undefined);
    await this.#daemon.stop();
  }
}
