import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { Daemon } from '../exec/daemon.js';
import type { RunContext } from '../lifecycle/run-context.js';
import { monotonicMs, toMicros } from './clock.js';
import type { CounterSeries } from './series.js';

export interface CounterSamplerOptions {
  netns: string;
  ifnames: readonly string[];
  /** Between samples, ms. Default 100. */
  intervalMs?: number;
  /** Sampling ends by itself this long after the start, ms. */
  maxDurationMs: number;
  /** Ends sampling; default the run's. */
  signal?: AbortSignal;
}

/** What a sampler yields: a series, or why there is none, or why it ends early. */
export interface SamplerOutcome {
  series: CounterSeries | undefined;
  error: string | undefined;
}

const NETNS_DIR = '/run/netns';
/** While no process is in the namespace yet (the clients are starting), look again this soon. */
const FIND_POLL_MS = 5;

interface Sample {
  atMs: number;
  rx: number[];
  tx: number[];
}

/**
 * Samples the byte counters of some interfaces of a namespace every `intervalMs` from node itself,
 * without a process per sample: /proc/<pid>/net/dev shows the counters of pid's network
 * namespace, so it reads them through any process that is in the namespace (keepProcessIn's, a
 * probe agent, an iperf3 client), found by its /proc/<pid>/ns/net against /run/netns/<name> and
 * checked again after each read, so a recycled pid is never trusted. Inside User-mode Linux a
 * process start costs 100 ms or more of CPU (a helper thread 1.3-2.3 s to boot, measured), which
 * sampling must not take from the traffic being measured.
 *
 * The cost of sampling on node's own thread: in User-mode Linux each process node starts blocks
 * it for 0.2-1.4 s (the kernel copies its memory map), so while several clients start, samples
 * come that much further apart. Their times are exact, so the rates stay right; only coarser.
 *
 * Nothing here throws: a failure ends sampling and is kept as the outcome's `error`, because the
 * series only illustrates a measurement that stands without it.
 */
export class CounterSampler {
  readonly netns: string;
  readonly ifnames: readonly string[];
  readonly intervalMs: number;
  readonly #anchorMs: number;
  readonly #maxDurationMs: number;
  readonly #signal: AbortSignal;
  readonly #samples: Sample[] = [];
  readonly #untrack: () => void;
  #netnsLink = '';
  #pid: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #error: string | undefined;
  #ended = false;
  readonly #onAbort = (): void => {
    this.#fail('the measurement was aborted');
  };

  private constructor(run: RunContext, options: CounterSamplerOptions, anchorMs: number) {
    this.netns = options.netns;
    this.ifnames = options.ifnames;
    this.intervalMs = options.intervalMs ?? 100;
    this.#anchorMs = anchorMs;
    this.#maxDurationMs = options.maxDurationMs;
    this.#signal = options.signal ?? run.signal;
    this.#untrack = run.defer(`stop sampling counters in ${options.netns}`, () => {
      this.stop();
    });
    this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    if (this.#signal.aborted) this.#onAbort();
  }

  /**
   * Starts sampling now: the first sample as soon as a process is in the namespace, then one
   * every interval, on a grid from `anchorMs` (monotonic; the series' times count from it).
   */
  static start(
    run: RunContext,
    options: CounterSamplerOptions,
    anchorMs = monotonicMs(),
  ): CounterSampler {
    const sampler = new CounterSampler(run, options, anchorMs);
    sampler.#begin();
    return sampler;
  }

  /** Samples taken so far. */
  get count(): number {
    return this.#samples.length;
  }

  /** The pid whose /proc/<pid>/net/dev was read last. */
  get pid(): number | undefined {
    return this.#pid;
  }

  #begin(): void {
    if (this.#ended) return;
    try {
      this.#netnsLink = `net:[${statSync(`${NETNS_DIR}/${this.netns}`).ino}]`;
    } catch (error) {
      this.#fail(`namespace ${this.netns} cannot be read: ${(error as Error).message}`);
      return;
    }
    this.#tick();
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#ended) return;
    const taken = this.#sample();
    if (this.#error !== undefined) return;
    const elapsed = monotonicMs() - this.#anchorMs;
    if (elapsed >= this.#maxDurationMs) {
      this.#fail(`sampling stopped at its limit of ${this.#maxDurationMs} ms`);
      return;
    }
    // Until the first sample, poll for a process; then on a grid from the anchor, so a late wake
    // does not push every later sample back.
    const next =
      !taken && this.#samples.length === 0
        ? elapsed + FIND_POLL_MS
        : (Math.floor(elapsed / this.intervalMs) + 1) * this.intervalMs;
    this.#timer = setTimeout(() => {
      this.#tick();
    }, next - elapsed);
  }

  /** Reads the counters once: false when no process is in the namespace to read them through. */
  #sample(): boolean {
    for (let attempt = 0; attempt < 2; attempt++) {
      const pid = this.#findPid();
      if (pid === undefined) return false;
      const atMs = monotonicMs();
      let text: string;
      try {
        text = readFileSync(`/proc/${pid}/net/dev`, 'utf8');
      } catch {
        this.#pid = undefined;
        continue;
      }
      // After the read: had the pid been recycled before it, its namespace would differ now.
      if (!this.#inNetns(pid)) {
        this.#pid = undefined;
        continue;
      }
      this.#take(atMs, text);
      return true;
    }
    return false;
  }

  /** The last pid if it is still in the namespace, else any process that is (a /proc scan). */
  #findPid(): number | undefined {
    if (this.#pid !== undefined && this.#inNetns(this.#pid)) return this.#pid;
    this.#pid = undefined;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      if (this.#inNetns(pid)) {
        this.#pid = pid;
        return pid;
      }
    }
    return undefined;
  }

  #inNetns(pid: number): boolean {
    try {
      return readlinkSync(`/proc/${pid}/ns/net`) === this.#netnsLink;
    } catch {
      return false;
    }
  }

  /** Parses one sample; a missing interface ends sampling. */
  #take(atMs: number, text: string): void {
    const counters = parseNetDev(text);
    const rx: number[] = [];
    const tx: number[] = [];
    for (const name of this.ifnames) {
      const c = counters.get(name);
      if (c === undefined) {
        this.#fail(
          `${name} is not in ${this.netns} (its interfaces: ${[...counters.keys()].join(', ')})`,
        );
        return;
      }
      rx.push(c.rxBytes);
      tx.push(c.txBytes);
    }
    this.#samples.push({ atMs, rx, tx });
  }

  #fail(why: string): void {
    this.#error ??= why;
    this.#end();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.#untrack();
  }

  /**
   * Takes a last sample (if still sampling and a process is left to read through) and returns the
   * series. Safe to call twice.
   */
  stop(): SamplerOutcome {
    if (!this.#ended) {
      if (this.#samples.length > 0 && this.#sample()) this.#mergeShortLast();
      this.#end();
    }
    const series = this.#series();
    let error = this.#error;
    if (series === undefined && error === undefined) {
      error =
        this.#samples.length === 0
          ? `no process was in ${this.netns} to read its counters through`
          : 'fewer than two samples';
    }
    return { series, error };
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

/**
 * A process that stays in `netns` (`sleep`) until stopped, at most `maxMs` and a margin: started
 * once, before the traffic, so a CounterSampler has something to read through from the first
 * byte to the last, when the clients it could read through have not started yet or have already
 * ended. Stopped by the run's teardown if not before.
 */
export function keepProcessIn(run: RunContext, netns: string, maxMs: number): Daemon {
  const lifeS = Math.ceil(maxMs / 1000) + 30;
  return Daemon.start(run, ['sleep', String(lifeS)], { netns, graceMs: 500 });
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
