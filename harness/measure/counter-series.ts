import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { Daemon } from '../exec/daemon.js';
import type { RunContext } from '../lifecycle/run-context.js';
import { monotonicMs, toMicros } from './clock.js';
import { COUNTER_WORKER_SOURCE, SAMPLER_STATE } from './counter-worker.js';
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
/** How long the helper may take to enter its namespace (a process start: ~0.1-1 s in UML). */
const READY_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 5;

interface Sample {
  atMs: number;
  rx: number[];
  tx: number[];
}

/**
 * Samples the byte counters of some interfaces of a namespace every `intervalMs`, without a
 * process per sample: /proc/<pid>/net/dev shows the counters of pid's network namespace, so a
 * worker thread (counter-worker.ts) reads them for a helper (`sleep`) started once inside it.
 * Inside User-mode Linux a process start costs 100 ms or more of CPU, which a process per sample
 * would take from the traffic being measured. The helper's namespace is checked (its
 * /proc/<pid>/ns/net against /run/netns/<name>) before the first sample and at each one, so a
 * recycled pid cannot be read.
 *
 * Nothing here throws: a failure ends sampling and is kept as the outcome's `error`, because the
 * series only illustrates a measurement that stands without it.
 */
export class CounterSampler {
  readonly netns: string;
  readonly ifnames: readonly string[];
  readonly intervalMs: number;
  /** Resolves (never rejects) once the helper is in the namespace and the worker runs, or failed. */
  readonly ready: Promise<void>;
  readonly #maxDurationMs: number;
  readonly #helper: Daemon;
  readonly #signal: AbortSignal;
  readonly #samples: Sample[] = [];
  readonly #control = new Int32Array(new SharedArrayBuffer(4));
  readonly #anchor = new Float64Array(new SharedArrayBuffer(8));
  readonly #untrack: () => void;
  #worker: Worker | undefined;
  #workerDone: Promise<void> = Promise.resolve();
  #anchorMs = 0;
  #error: string | undefined;
  #ended = false;
  #outcome: Promise<SamplerOutcome> | undefined;
  readonly #onAbort = (): void => {
    this.#fail('the measurement was aborted', SAMPLER_STATE.aborted);
    void this.#helper.stop().catch(() => undefined);
  };

  private constructor(run: RunContext, options: CounterSamplerOptions) {
    this.netns = options.netns;
    this.ifnames = options.ifnames;
    this.intervalMs = options.intervalMs ?? 100;
    this.#maxDurationMs = options.maxDurationMs;
    this.#signal = options.signal ?? run.signal;
    this.#untrack = run.defer(`stop the counter sampler in ${options.netns}`, async () => {
      await this.stop();
    });
    // Bounded life: it ends by itself even if the harness is killed outright.
    const lifeS = Math.ceil((2 * READY_TIMEOUT_MS + options.maxDurationMs) / 1000) + 5;
    this.#helper = Daemon.start(run, ['sleep', String(lifeS)], {
      netns: options.netns,
      graceMs: 500,
    });
    this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    if (this.#signal.aborted) this.#onAbort();
    this.ready = this.#waitReady();
  }

  /** Starts the helper in `netns` and the sampling thread; await `ready` before begin(). */
  static start(run: RunContext, options: CounterSamplerOptions): CounterSampler {
    return new CounterSampler(run, options);
  }

  /** The helper's pid, whose /proc/<pid>/net/dev is read. */
  get pid(): number | undefined {
    return this.#helper.pid;
  }

  /** Samples received so far. */
  get count(): number {
    return this.#samples.length;
  }

  async #waitReady(): Promise<void> {
    const pid = this.#helper.pid;
    const deadline = monotonicMs() + READY_TIMEOUT_MS;
    let ino: number | undefined;
    try {
      const want = statSync(`${NETNS_DIR}/${this.netns}`).ino;
      while (ino === undefined) {
        if (this.#ended) return;
        if (!this.#helper.running || pid === undefined) {
          const why = this.#helper.error('exited before entering the namespace').message;
          this.#fail(`the counter helper ${why}; stderr: ${this.#helper.stderrTail.join(' ')}`);
          return;
        }
        if (inoOf(pid) === want) ino = want;
        else if (monotonicMs() > deadline) {
          this.#fail(
            `the counter helper (pid ${pid}) was not in ${this.netns} after ${READY_TIMEOUT_MS} ms`,
          );
          return;
        } else await sleep(READY_POLL_MS);
      }
    } catch (error) {
      this.#fail(`could not check the counter helper's namespace: ${String(error)}`);
      return;
    }
    if (!this.#ended && pid !== undefined) await this.#startWorker(pid, ino);
  }

  /** Starts the sampling thread; resolves once it says it is ready (or has failed). */
  async #startWorker(pid: number, netnsIno: number): Promise<void> {
    const worker = new Worker(COUNTER_WORKER_SOURCE, {
      eval: true,
      // Not the parent's loaders (tsx, tap's): the source is plain JavaScript, and boots faster.
      execArgv: [],
      workerData: {
        pid,
        netnsIno,
        intervalMs: this.intervalMs,
        maxDurationMs: this.#maxDurationMs,
        maxSamples: Math.ceil(this.#maxDurationMs / this.intervalMs) + 2,
        beginWithinMs: READY_TIMEOUT_MS + this.#maxDurationMs,
        control: this.#control,
        anchor: this.#anchor,
      },
    });
    this.#worker = worker;
    let ready: () => void = () => undefined;
    const isReady = new Promise<void>((resolve) => {
      ready = resolve;
    });
    this.#workerDone = new Promise<void>((resolve) => {
      worker.on('message', (message: WorkerMessage) => {
        if ('ready' in message) ready();
        else if ('sample' in message) this.#take(message.sample.atMs, message.sample.text);
        else if ('error' in message) this.#fail(message.error);
        else resolve();
      });
      worker.on('error', (error) => {
        this.#fail(`the counter sampling thread failed: ${error.message}`);
      });
      worker.on('exit', () => {
        ready();
        resolve();
      });
    });
    await isReady;
  }

  /** Parses one sample; a missing interface ends sampling. */
  #take(atMs: number, text: string): void {
    if (this.#error !== undefined) return;
    const counters = parseNetDev(text);
    const rx: number[] = [];
    const tx: number[] = [];
    for (const name of this.ifnames) {
      const c = counters.get(name);
      if (c === undefined) {
        this.#fail(
          `${name} is not in ${this.netns} (its interfaces: ${[...counters.keys()].join(', ')})`,
          SAMPLER_STATE.aborted,
        );
        return;
      }
      rx.push(c.rxBytes);
      tx.push(c.txBytes);
    }
    this.#samples.push({ atMs, rx, tx });
  }

  /** Takes the first sample now, times relative to `anchorMs` (monotonic), then every interval. */
  begin(anchorMs: number): void {
    this.#anchorMs = anchorMs;
    if (this.#ended) return;
    if (this.#worker === undefined) {
      this.#fail('begin() came before the counter helper was in its namespace');
      return;
    }
    // Before the state: a worker that sees `sampling` (or `stopping` after it) finds the anchor.
    this.#anchor[0] = anchorMs;
    this.#setState(SAMPLER_STATE.sampling);
  }

  #setState(state: number): void {
    Atomics.store(this.#control, 0, state);
    Atomics.notify(this.#control, 0);
  }

  #fail(why: string, state: number = SAMPLER_STATE.stopping): void {
    this.#error ??= why;
    this.#end(state);
  }

  #end(state: number): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#setState(state);
    this.#signal.removeEventListener('abort', this.#onAbort);
  }

  /**
   * Takes a last sample (if still sampling), stops the thread and the helper, and returns the
   * series. Never rejects; a second call returns the same outcome.
   */
  stop(): Promise<SamplerOutcome> {
    this.#outcome ??= this.#stop();
    return this.#outcome;
  }

  async #stop(): Promise<SamplerOutcome> {
    this.#untrack();
    this.#end(SAMPLER_STATE.stopping);
    await this.ready;
    await this.#workerDone;
    await this.#worker?.terminate();
    await this.#helper.stop().catch(() => undefined);
    this.#mergeShortLast();
    const series = this.#series();
    return {
      series,
      error: this.#error ?? (series === undefined ? 'fewer than two samples' : undefined),
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

type WorkerMessage =
  { ready: true } | { sample: { atMs: number; text: string } } | { error: string } | { done: true };

function inoOf(pid: number): number | undefined {
  try {
    return statSync(`/proc/${pid}/ns/net`).ino;
  } catch {
    return undefined;
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
