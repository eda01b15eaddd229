import { readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Daemon } from '../exec/daemon.js';
import type { RunContext } from '../lifecycle/run-context.js';
import { monotonicMs, toMicros } from './clock.js';
import type { CounterSeries } from './series.js';

export interface CounterSamplerOptions {
  netns: string;
  ifnames: readonly string[];
  /** Between samples, ms. Default 100. */
  intervalMs?: number;
  /** Sampling ends by itself this long after begin(), ms; so does the helper, soon after. */
  maxDurationMs: number;
  /** Ends sampling (and the helper); default the run's. */
  signal?: AbortSignal;
}

/** What a sampler yields: a series, or why there is none, or why it ends early. */
export interface SamplerOutcome {
  series: CounterSeries | undefined;
  error: string | undefined;
}

const NETNS_DIR = '/run/netns';
/** How long the helper may take to enter its namespace (a process start: ~0.1-0.3 s in UML). */
const READY_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 5;

interface Sample {
  atMs: number;
  rx: number[];
  tx: number[];
}

/**
 * Samples the byte counters of some interfaces of a namespace every `intervalMs`, without a
 * process per sample: /proc/<pid>/net/dev shows the counters of pid's network namespace, so node
 * reads them for a helper (`sleep`) started once inside it. Inside User-mode Linux a process
 * start costs 100 ms or more of CPU, which a process per sample would take from the traffic being
 * measured. The helper's namespace is checked (its /proc/<pid>/ns/net against /run/netns/<name>)
 * before the first sample and at each one, so a recycled pid cannot be read.
 *
 * Nothing here throws: a failure ends sampling and is kept as the outcome's `error`, because the
 * series only illustrates a measurement that stands without it.
 */
export class CounterSampler {
  readonly netns: string;
  readonly ifnames: readonly string[];
  readonly intervalMs: number;
  /** Resolves (never rejects) once the helper is in the namespace, or sampling has failed. */
  readonly ready: Promise<void>;
  readonly #maxDurationMs: number;
  readonly #helper: Daemon;
  readonly #signal: AbortSignal;
  readonly #samples: Sample[] = [];
  #netnsIno: number | undefined;
  #anchorMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #error: string | undefined;
  #ended = false;
  readonly #onAbort = (): void => {
    this.#fail('the measurement was aborted');
    void this.#helper.stop().catch(() => undefined);
  };

  private constructor(run: RunContext, options: CounterSamplerOptions) {
    this.netns = options.netns;
    this.ifnames = options.ifnames;
    this.intervalMs = options.intervalMs ?? 100;
    this.#maxDurationMs = options.maxDurationMs;
    this.#signal = options.signal ?? run.signal;
    // Bounded life: it ends by itself even if the harness is killed outright.
    const lifeS = Math.ceil((READY_TIMEOUT_MS + options.maxDurationMs) / 1000) + 5;
    this.#helper = Daemon.start(run, ['sleep', String(lifeS)], {
      netns: options.netns,
      graceMs: 500,
    });
    this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    if (this.#signal.aborted) this.#onAbort();
    this.ready = this.#waitReady();
  }

  /** Starts the helper in `netns`; await `ready` before begin(). */
  static start(run: RunContext, options: CounterSamplerOptions): CounterSampler {
    return new CounterSampler(run, options);
  }

  /** The helper's pid, whose /proc/<pid>/net/dev is read. */
  get pid(): number | undefined {
    return this.#helper.pid;
  }

  /** Samples taken so far. */
  get count(): number {
    return this.#samples.length;
  }

  async #waitReady(): Promise<void> {
    const pid = this.#helper.pid;
    const deadline = monotonicMs() + READY_TIMEOUT_MS;
    try {
      const want = statSync(`${NETNS_DIR}/${this.netns}`).ino;
      for (;;) {
        if (this.#ended) return;
        if (!this.#helper.running || pid === undefined) {
          const why = this.#helper.error('exited before entering the namespace').message;
          this.#fail(`the counter helper ${why}; stderr: ${this.#helper.stderrTail.join(' ')}`);
          return;
        }
        if (this.#inoOf(pid) === want) {
          this.#netnsIno = want;
          return;
        }
        if (monotonicMs() > deadline) {
          this.#fail(
            `the counter helper (pid ${pid}) was not in ${this.netns} after ${READY_TIMEOUT_MS} ms`,
          );
          return;
        }
        await sleep(READY_POLL_MS);
      }
    } catch (error) {
      this.#fail(`could not check the counter helper's namespace: ${String(error)}`);
    }
  }

  #inoOf(pid: number): number | undefined {
    try {
      return statSync(`/proc/${pid}/ns/net`).ino;
    } catch {
      return undefined;
    }
  }

  /** Takes the first sample now, times relative to `anchorMs` (monotonic), then every interval. */
  begin(anchorMs: number): void {
    this.#anchorMs = anchorMs;
    if (this.#ended) return;
    if (this.#netnsIno === undefined) {
      this.#fail('begin() came before the counter helper was in its namespace');
      return;
    }
    this.#tick();
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#ended) return;
    if (!this.#sample()) return;
    const elapsed = monotonicMs() - this.#anchorMs;
    if (elapsed >= this.#maxDurationMs) {
      this.#fail(`sampling stopped at its limit of ${this.#maxDurationMs} ms`);
      return;
    }
    // On a grid from the anchor, so a late wake does not push every later sample back.
    const next = (Math.floor(elapsed / this.intervalMs) + 1) * this.intervalMs;
    this.#timer = setTimeout(() => {
      this.#tick();
    }, next - elapsed);
  }

  /** Reads the counters once; false (and sampling ended) if that failed. */
  #sample(): boolean {
    const pid = this.#helper.pid;
    const atMs = monotonicMs();
    let text: string;
    try {
      if (pid === undefined || !this.#helper.running) throw new Error('the helper exited');
      text = readFileSync(`/proc/${pid}/net/dev`, 'utf8');
      // After the read: had the pid been recycled before it, the namespace would differ now.
      if (this.#inoOf(pid) !== this.#netnsIno)
        throw new Error(`pid ${pid} is no longer in ${this.netns}`);
    } catch (error) {
      this.#fail(`reading /proc/${pid ?? '?'}/net/dev failed: ${(error as Error).message}`);
      return false;
    }
    const counters = parseNetDev(text);
    const rx: number[] = [];
    const tx: number[] = [];
    for (const name of this.ifnames) {
      const c = counters.get(name);
      if (c === undefined) {
        this.#fail(
          `${name} is not in ${this.netns} (its interfaces: ${[...counters.keys()].join(', ')})`,
        );
        return false;
      }
      rx.push(c.rxBytes);
      tx.push(c.txBytes);
    }
    this.#samples.push({ atMs, rx, tx });
    return true;
  }

  #fail(why: string): void {
    if (this.#ended) return;
    this.#error = why;
    this.#end();
  }

  #end(): void {
    this.#ended = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#signal.removeEventListener('abort', this.#onAbort);
  }

  /**
   * Takes a last sample (if still sampling), stops the helper and returns the series. Never
   * rejects; safe to call twice (the second returns the same series).
   */
  async stop(): Promise<SamplerOutcome> {
    if (!this.#ended) {
      if (this.#netnsIno !== undefined && this.#samples.length > 0 && this.#sample())
        this.#mergeShortLast();
      this.#end();
    }
    await this.#helper.stop().catch(() => undefined);
    return {
      series: this.#series(),
      error: this.#error ?? (this.#samples.length < 2 ? 'fewer than two samples' : undefined),
    };
  }

  /** A last sample just after a regular one would give a rate over a sliver: span both instead. */
  #mergeShortLast(): void {
    const n = this.#samples.length;
    const last = this.#samples[n - 1];
    const previous = this.#samples[n - 2];
    if (n < 3 || last === undefined || previous === undefined) return;
    if (last.atMs - previous.atMs < this.intervalMs / 2) this.#samples.splice(n - 2, 1);
  }

  #series(): CounterSeries | undefined {
    const samples = this.#samples;
    if (samples.length < 2) return undefined;
    const rates = (pick: (s: Sample) => number[]): Record<string, number[]> =>
      Object.fromEntries(
        this.ifnames.map((name, i) => [
          name,
          samples.map((s, k) => {
            const prev = samples[k - 1];
            if (prev === undefined) return 0;
            const bytes = (pick(s)[i] ?? 0) - (pick(prev)[i] ?? 0);
            return Math.round((bytes * 8 * 1000) / (s.atMs - prev.atMs));
          }),
        ]),
      );
    return {
      atMs: samples.map((s) => toMicros(s.atMs - this.#anchorMs)),
      txBitsPerSecond: rates((s) => s.tx),
      rxBitsPerSecond: rates((s) => s.rx),
      intervalMs: this.intervalMs,
    };
  }
}

/** Byte counters by interface from /proc/net/dev (64-bit, as `ip -s link` shows them). */
export function parseNetDev(text: string): Map<string, { rxBytes: number; txBytes: number }> {
  const found = new Map<string, { rxBytes: number; txBytes: number }>();
  // `  eth0: rxbytes rxpackets errs drop fifo frame compressed multicast txbytes ...`; the first
  // two lines are headers (no colon before the numbers).
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (fields.length < 16 || fields.some((f) => !Number.isFinite(f))) continue;
    found.set(line.slice(0, colon).trim(), { rxBytes: fields[0] ?? 0, txBytes: fields[8] ?? 0 });
  }
  return found;
}
