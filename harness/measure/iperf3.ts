import { isIPv6 } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandError } from '../exec/command-error.js';
import { Daemon } from '../exec/daemon.js';
import { installHint, run } from '../exec/run.js';
import type { RunContext } from '../lifecycle/run-context.js';
import {
  Iperf3Error,
  parseIperf3Json,
  type Iperf3Interval,
  type Iperf3Protocol,
  type Iperf3ReceiverInterval,
  type Iperf3Result,
  type Iperf3Totals,
} from './iperf3-json.js';

/** Server ports are given out from here: iperf3's default, then upwards. */
export const FIRST_SERVER_PORT = 5201;
/** Client (data) ports from here: below Linux's ephemeral range (32768-60999), so no collision. */
export const FIRST_CLIENT_PORT = 30001;

const READY_TIMEOUT_MS = 5_000;
const STOP_GRACE_MS = 2_000;
/** Beyond -t and -O: connecting, and the exchange of results at the end. */
export const CLIENT_MARGIN_MS = 15_000;
const CONNECT_TIMEOUT_MS = 3_000;

export interface Iperf3ServerOptions {
  netns: string;
  /** Listen on this address only (-B). */
  address: string;
  port: number;
  /** How long the server may take to say "Server listening". Default 5 s. */
  readyTimeoutMs?: number;
  /** How long SIGTERM has to end it before SIGKILL. Default 2 s. */
  stopGraceMs?: number;
}

/** A running `iperf3 -s`, stopped by the run's teardown if not before. */
export interface Iperf3Server {
  readonly netns: string;
  readonly address: string;
  readonly port: number;
  readonly pid: number;
  /** Its standard output so far, a line each. */
  lines(): readonly string[];
  /** SIGTERM, then SIGKILL after the grace period; resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `iperf3 -s` on one address and port inside a namespace and waits until it says it
 * listens (its own stdout, not a sleep). The stop is registered with the run before the server
 * starts (Daemon does); stopping it earlier by hand is fine.
 */
export async function startIperf3Server(
  run: RunContext,
  options: Iperf3ServerOptions,
): Promise<Iperf3Server> {
  const { netns, address, port } = options;
  const daemon = Daemon.start(
    run,
    ['iperf3', '-s', '-p', String(port), '-B', address, '--forceflush'],
    { netns, graceMs: options.stopGraceMs ?? STOP_GRACE_MS },
  );
  try {
    await daemon.waitForLine(
      (line) => new RegExp(`^Server listening on ${port}\\b`).test(line),
      '"Server listening"',
      options.readyTimeoutMs ?? READY_TIMEOUT_MS,
      run.signal,
    );
  } catch (error) {
    await daemon.stop();
    throw explainServerError(error, daemon.stderrTail);
  }
  const pid = daemon.pid;
  if (pid === undefined) throw new Error('iperf3 listens, yet has no pid');
  return {
    netns,
    address,
    port,
    pid,
    lines: () => daemon.lines,
    stop: () => daemon.stop(),
  };
}

/** A server that ended before listening: iperf3's own words, when it gave any, and what to do. */
function explainServerError(error: unknown, stderr: readonly string[]): unknown {
  if (!(error instanceof CommandError) || error.code !== 'E_COMMAND_FAILED') return error;
  const said = stderr.map((l) => /iperf3: error - (.*)/.exec(l)?.[1]).find((m) => m !== undefined);
  if (said !== undefined) {
    return new Iperf3Error(
      `iperf3 server did not start: ${said}`,
      said,
      { argv: error.argv, netns: error.netns },
      {
        cause: error,
        hint: /address already in use/i.test(said)
          ? 'another iperf3 (or socket) holds that port: give each server its own port'
          : undefined,
      },
    );
  }
  // `ip netns exec` says so when the program is missing.
  if (stderr.some((l) => l.includes('exec of "iperf3" failed')))
    return new CommandError('E_COMMAND_NOT_FOUND', 'iperf3 is not installed', error, {
      hint: installHint('iperf3'),
      cause: error,
    });
  return error;
}

/**
 * Starts one server per endpoint, side by side. If any fails, all are stopped before the first
 * error is raised.
 */
export async function startIperf3Servers(
  run: RunContext,
  netns: string,
  endpoints: readonly { address: string; port: number }[],
  options: Pick<Iperf3ServerOptions, 'readyTimeoutMs' | 'stopGraceMs'> = {},
): Promise<Iperf3Server[]> {
  const started = await Promise.allSettled(
    endpoints.map((e) => startIperf3Server(run, { ...options, netns, ...e })),
  );
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await stopIperf3Servers(servers);
    throw failed.reason;
  }
  return servers;
}

/** Stops servers side by side; raises the first failure once all have ended. */
export async function stopIperf3Servers(servers: readonly Iperf3Server[]): Promise<void> {
  const stopped = await Promise.allSettled(servers.map((s) => s.stop()));
  const failed = stopped.find((s) => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

export interface Iperf3ClientOptions {
  netns: string;
  /** Source address (-B): the client host's address. */
  bind: string;
  server: string;
  port: number;
  /** Source port of the data connection (--cport). */
  clientPort?: number;
  protocol: Iperf3Protocol;
  /** -t */
  durationS: number;
  /** -O: warm-up seconds, reported but left out of the totals. */
  omitS: number;
  /** -i: seconds per reported interval. Default 1. */
  intervalS?: number;
  /** UDP only: target rate of this flow, bit/s (-b). Default 1 Mbit/s, iperf3's own. */
  udpBitsPerSecond?: number;
  signal?: AbortSignal | undefined;
}

/** The argv of one client run, before the namespace is applied. */
export function iperf3ClientArgv(o: Iperf3ClientOptions): string[] {
  return [
    'iperf3',
    isIPv6(o.server) ? '-6' : '-4',
    '-c',
    o.server,
    '-p',
    String(o.port),
    '-B',
    o.bind,
    ...(o.clientPort === undefined ? [] : ['--cport', String(o.clientPort)]),
    '-t',
    String(o.durationS),
    '-O',
    String(o.omitS),
    '-i',
    String(o.intervalS ?? 1),
    '-J',
    '--connect-timeout',
    String(CONNECT_TIMEOUT_MS),
    // UDP loss per interval is only known to the receiver: have it sent back.
    ...(o.protocol === 'udp'
      ? ['-u', '-b', String(Math.round(o.udpBitsPerSecond ?? 1_000_000)), '--get-server-output']
      : []),
  ];
}

/**
 * Runs one iperf3 client to the end and parses its `-J` report. Bounded by -t + -O + a margin,
 * and by the signal. iperf3's own errors come out as Iperf3Error.
 */
export async function runIperf3Client(options: Iperf3ClientOptions): Promise<Iperf3Result> {
  const result = await run(iperf3ClientArgv(options), {
    netns: options.netns,
    signal: options.signal,
    timeoutMs: (options.durationS + options.omitS) * 1_000 + CLIENT_MARGIN_MS,
    // iperf3 exits 1 on its own errors, and says why in the JSON.
    okExitCodes: [1],
  });
  try {
    return parseIperf3Json(result.stdout, { argv: result.argv, netns: options.netns });
  } catch (error) {
    if (error instanceof Iperf3Error && error.iperf3Message === undefined && result.exitCode !== 0)
      throw new CommandError('E_COMMAND_FAILED', 'iperf3 failed without a JSON report', {
        ...result,
        signal: undefined,
      });
    throw error;
  }
}

/** One flow: a client process to its own server port, from its own client port. */
export interface Iperf3Flow {
  server: string;
  port: number;
  clientPort: number;
}

export interface Iperf3FlowsOptions extends Omit<
  Iperf3ClientOptions,
  'server' | 'port' | 'clientPort'
> {
  flows: readonly Iperf3Flow[];
}

export interface Iperf3FlowResult extends Iperf3Flow {
  result: Iperf3Result;
}

/** Sums over flows, interval by interval (flows share -O and -i, so index k is the same second). */
export interface Iperf3AggregateInterval extends Omit<Iperf3Interval, 'streams'> {
  /** How many flows reported this interval. */
  flows: number;
}

export interface Iperf3AggregateReceiverInterval extends Iperf3ReceiverInterval {
  flows: number;
}

export interface Iperf3Aggregate {
  intervals: Iperf3AggregateInterval[];
  receiverIntervals: Iperf3AggregateReceiverInterval[] | undefined;
  /** Sums; seconds and jitterMs are the largest of the flows'; lostPercent of the sums. */
  totals: Iperf3Totals;
}

export interface Iperf3FlowsResult {
  flows: Iperf3FlowResult[];
  aggregate: Iperf3Aggregate;
}

/** Runs every flow's client at once and combines their reports. All finish before any error. */
export async function runIperf3Flows(options: Iperf3FlowsOptions): Promise<Iperf3FlowsResult> {
  const { flows, ...client } = options;
  const running: Promise<Iperf3Result>[] = [];
  for (const f of flows) {
    // A turn of the event loop between client starts: inside UML each start blocks node for up
    // to a second or more (the kernel copies its memory map), and timers due meanwhile, a counter
    // sampler's, run here rather than after the last start.
    if (running.length > 0) await sleep(0);
    const started = runIperf3Client({
      ...client,
      server: f.server,
      port: f.port,
      clientPort: f.clientPort,
    });
    // Handled below, with the others; not an unhandled rejection while the rest start.
    started.catch(() => undefined);
    running.push(started);
  }
  const settled = await Promise.allSettled(running);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  const results = settled.map((s) => (s as PromiseFulfilledResult<Iperf3Result>).value);
  return {
    flows: flows.map((f, i) => ({ ...f, result: results[i] as Iperf3Result })),
    aggregate: aggregateIperf3(results),
  };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const sumOrUndefined = (xs: readonly (number | undefined)[]): number | undefined =>
  xs.some((x) => x === undefined) ? undefined : sum(xs as number[]);

/** Combines several runs' reports: per-interval sums by index, and summed totals. */
export function aggregateIperf3(results: readonly Iperf3Result[]): Iperf3Aggregate {
  const byIndex = <T>(series: readonly (readonly T[])[]): T[][] => {
    const length = Math.max(0, ...series.map((s) => s.length));
    return Array.from({ length }, (_, k) =>
      series.flatMap((s) => (k < s.length ? [s[k] as T] : [])),
    );
  };
  const intervals = byIndex(results.map((r) => r.intervals)).map((at) => ({
    start: Math.min(...at.map((i) => i.start)),
    end: Math.max(...at.map((i) => i.end)),
    seconds: Math.max(...at.map((i) => i.seconds)),
    bytes: sum(at.map((i) => i.bytes)),
    bitsPerSecond: sum(at.map((i) => i.bitsPerSecond)),
    retransmits: sumOrUndefined(at.map((i) => i.retransmits)),
    packets: sumOrUndefined(at.map((i) => i.packets)),
    omitted: at.some((i) => i.omitted),
    flows: at.length,
  }));
  const receivers = results.map((r) => r.receiverIntervals);
  const receiverIntervals = receivers.every((x) => x !== undefined)
    ? byIndex(receivers).map((at) => {
        const packets = sum(at.map((i) => i.packets));
        const lostPackets = sum(at.map((i) => i.lostPackets));
        return {
          start: Math.min(...at.map((i) => i.start)),
          end: Math.max(...at.map((i) => i.end)),
          omitted: at.some((i) => i.omitted),
          jitterMs: Math.max(...at.map((i) => i.jitterMs)),
          packets,
          lostPackets,
          lostPercent: packets === 0 ? 0 : (100 * lostPackets) / packets,
          flows: at.length,
        };
      })
    : undefined;
  return { intervals, receiverIntervals, totals: sumTotals(results.map((r) => r.end)) };
}

function sumTotals(ends: readonly Iperf3Totals[]): Iperf3Totals {
  const side = (pick: (e: Iperf3Totals) => Iperf3Totals['sent']): Iperf3Totals['sent'] => ({
    seconds: Math.max(0, ...ends.map((e) => pick(e).seconds)),
    bytes: sum(ends.map((e) => pick(e).bytes)),
    bitsPerSecond: sum(ends.map((e) => pick(e).bitsPerSecond)),
  });
  const udps = ends.map((e) => e.udp);
  let udp: Iperf3Totals['udp'];
  if (ends.length > 0 && udps.every((u) => u !== undefined)) {
    const packets = sum(udps.map((u) => u.packets));
    const lostPackets = sum(udps.map((u) => u.lostPackets));
    udp = {
      packets,
      lostPackets,
      lostPercent: packets === 0 ? 0 : (100 * lostPackets) / packets,
      jitterMs: Math.max(...udps.map((u) => u.jitterMs)),
    };
  }
  return {
    sent: side((e) => e.sent),
    received: side((e) => e.received),
    retransmits: sumOrUndefined(ends.map((e) => e.retransmits)),
    udp,
  };
}
