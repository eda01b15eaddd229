import { InputError } from '../errors.js';

/** Refuses a timeout that is not a positive whole number of milliseconds. */
export function checkTimeout(field: string, ms: number | undefined): void {
  if (ms !== undefined && !(Number.isInteger(ms) && ms > 0)) {
    throw new InputError(field, ms, 'expected a positive integer (milliseconds)');
  }
}

/** Why a guest run is being stopped before its command ended on its own. */
export type StopReason =
  | { why: 'timeout'; ms: number }
  | { why: 'boot-timeout'; ms: number }
  | { why: 'abort'; cause: unknown };

export interface GuestDeadlineOptions {
  /** The run's signal, the caller's: either one aborting stops the guest. */
  signals: readonly (AbortSignal | undefined)[];
  /** Boot + command + shutdown. */
  timeoutMs: number | undefined;
  /** Launch until the command starts. */
  bootTimeoutMs: number;
}

/**
 * The one abort controller of a guest run: the run's and the caller's signals, the overall
 * deadline and the boot deadline all end in it. `dispose` disarms every timer and listener.
 */
export class GuestDeadline {
  /** Settles with the first reason to stop; never rejects, stays pending if none comes. */
  readonly stopped: Promise<StopReason>;
  readonly #controller = new AbortController();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #bootTimer: NodeJS.Timeout;
  readonly #detach: (() => void)[] = [];

  constructor(options: GuestDeadlineOptions) {
    this.stopped = new Promise((resolve) => {
      this.#controller.signal.addEventListener(
        'abort',
        () => {
          resolve(this.#controller.signal.reason as StopReason);
        },
        { once: true },
      );
    });
    for (const signal of options.signals) {
      if (signal === undefined) continue;
      const onAbort = (): void => {
        this.#stop({ why: 'abort', cause: signal.reason });
      };
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#detach.push(() => {
        signal.removeEventListener('abort', onAbort);
      });
    }
    const { timeoutMs, bootTimeoutMs } = options;
    if (timeoutMs !== undefined) {
      this.#timers.push(
        setTimeout(() => {
          this.#stop({ why: 'timeout', ms: timeoutMs });
        }, timeoutMs),
      );
    }
    this.#bootTimer = setTimeout(() => {
      this.#stop({ why: 'boot-timeout', ms: bootTimeoutMs });
    }, bootTimeoutMs);
    this.#timers.push(this.#bootTimer);
  }

  /** The command has started: the boot deadline no longer applies. */
  ready(): void {
    clearTimeout(this.#bootTimer);
  }

  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    for (const detach of this.#detach) detach();
  }

  #stop(reason: StopReason): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }
}
