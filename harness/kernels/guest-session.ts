import { ConsoleLines } from './console.js';
import { findExitMarker, findStderrMarker, parseMarker } from './guest-protocol.js';
import type { GuestOutput } from './guest.js';

/**
 * Follows one guest run through its console: boot lines until the ready marker, then the
 * command's lines (handed to `onOutput` with the stream they were written to), then the exit
 * marker. Boot and shutdown lines are kept
 * in the tail for errors but not passed on.
 */
export class GuestSession {
  readonly console: ConsoleLines;
  readonly #nonce: string;
  readonly #startedAt: number;
  readonly #onOutput: GuestOutput | undefined;
  readonly #onReady: () => void;
  #readyMs: number | undefined;
  #kernelRelease: string | undefined;
  #exit: { exitCode: number; signal: string | undefined } | undefined;
  #panic: string | undefined;

  constructor(
    nonce: string,
    startedAt: number,
    onOutput: GuestOutput | undefined,
    onReady: () => void = () => undefined,
  ) {
    this.#nonce = nonce;
    this.#startedAt = startedAt;
    this.#onOutput = onOutput;
    this.#onReady = onReady;
    this.console = new ConsoleLines((line) => {
      this.#line(line);
    });
  }

  /** Launch until the command started, ms; undefined while booting. */
  get readyMs(): number | undefined {
    return this.#readyMs;
  }

  get kernelRelease(): string | undefined {
    return this.#kernelRelease;
  }

  /** The command's end as the guest reported it; undefined while it runs (or if it never did). */
  get commandExit(): { exitCode: number; signal: string | undefined } | undefined {
    return this.#exit;
  }

  /** The console's "Kernel panic - ..." line, if the guest kernel panicked (it may have scrolled out of the tail since). */
  get panic(): string | undefined {
    return this.#panic;
  }

  /** Whether the guest kernel panicked. */
  get panicked(): boolean {
    return this.#panic !== undefined;
  }

  #line(line: string): void {
    if (line.includes('Kernel panic')) this.#panic ??= line.trim();
    if (this.#readyMs === undefined) {
      const marker = parseMarker(line, this.#nonce);
      if (marker?.kind !== 'ready') return;
      this.#readyMs = performance.now() - this.#startedAt;
      this.#kernelRelease = marker.kernelRelease;
      this.#onReady();
    } else if (this.#exit === undefined) {
      const end = findExitMarker(line, this.#nonce);
      if (end === undefined) {
        const err = findStderrMarker(line, this.#nonce);
        if (err === undefined) {
          this.#onOutput?.(line, 'stdout');
        } else {
          if (err.before !== '') this.#onOutput?.(err.before, 'stdout');
          this.#onOutput?.(err.text, 'stderr');
        }
        return;
      }
      // The command's last output when it did not end with a newline.
      if (end.before !== '') this.#onOutput?.(end.before, 'stdout');
      this.#exit = { exitCode: end.exitCode, signal: end.signal };
    }
  }
}
