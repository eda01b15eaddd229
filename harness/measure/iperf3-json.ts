import { BondlabError } from '../errors.js';
import { quoteArgv } from '../exec/command-error.js';
import { isRecord } from '../topology/validate.js';

export type Iperf3Protocol = 'tcp' | 'udp';

/** One data connection of a test, as iperf3 reports it in `start.connected`. */
export interface Iperf3Connection {
  socket: number;
  localHost: string;
  localPort: number;
  remoteHost: string;
  remotePort: number;
}

/** One stream's share of an interval. */
export interface Iperf3StreamSample {
  socket: number;
  bytes: number;
  bitsPerSecond: number;
  /** TCP: segments the sender retransmitted; undefined for UDP. */
  retransmits: number | undefined;
  /** UDP: datagrams sent; undefined for TCP. */
  packets: number | undefined;
}

/** One reporting interval on the client (sending) side, summed over the test's streams. */
export interface Iperf3Interval {
  /** Seconds from the start of the phase: iperf3 restarts its clock after the warm-up (-O). */
  start: number;
  end: number;
  seconds: number;
  bytes: number;
  bitsPerSecond: number;
  /** TCP: segments retransmitted in this interval; undefined for UDP. */
  retransmits: number | undefined;
  /** UDP: datagrams sent in this interval; undefined for TCP. */
  packets: number | undefined;
  /** Part of the warm-up: left out of the end totals. */
  omitted: boolean;
  streams: Iperf3StreamSample[];
}

/**
 * One UDP interval as the receiving server saw it (from `--get-server-output`): the only place
 * per-interval loss exists, since the client cannot know what arrived.
 */
export interface Iperf3ReceiverInterval {
  start: number;
  end: number;
  omitted: boolean;
  jitterMs: number;
  /** Datagrams the server expected in this interval (lost ones included). */
  packets: number;
  lostPackets: number;
  lostPercent: number;
}

export interface Iperf3Side {
  seconds: number;
  bytes: number;
  bitsPerSecond: number;
}

export interface Iperf3UdpTotals {
  /** Datagrams sent. */
  packets: number;
  lostPackets: number;
  lostPercent: number;
  jitterMs: number;
}

/** The end of a test: the warm-up left out. */
export interface Iperf3Totals {
  sent: Iperf3Side;
  received: Iperf3Side;
  /** TCP only. */
  retransmits: number | undefined;
  /** UDP only: the receiver's counts, as the server reported them back. */
  udp: Iperf3UdpTotals | undefined;
}

/** CPU use in percent, of this (client) process and of the server. */
export interface Iperf3Cpu {
  hostTotal: number;
  hostUser: number;
  hostSystem: number;
  remoteTotal: number;
  remoteUser: number;
  remoteSystem: number;
}

/** A whole iperf3 client run (`-J`), typed. */
export interface Iperf3Result {
  version: string;
  protocol: Iperf3Protocol;
  /** -t, seconds measured after the warm-up. */
  durationS: number;
  /** -O, seconds of warm-up left out of the totals. */
  omitS: number;
  numStreams: number;
  connected: Iperf3Connection[];
  /** Warm-up intervals first (marked omitted), then the measured ones. */
  intervals: Iperf3Interval[];
  /** UDP run with the server's output: the receiver's own intervals. */
  receiverIntervals: Iperf3ReceiverInterval[] | undefined;
  end: Iperf3Totals;
  cpu: Iperf3Cpu;
}

/** Where the output came from, for the error message. */
export interface Iperf3Source {
  argv: readonly string[];
  netns: string | undefined;
}

/** iperf3 itself reported a failure (its JSON `error`), or printed something that is not its JSON. */
export class Iperf3Error extends BondlabError {
  /** iperf3's own words, when it gave any. */
  readonly iperf3Message: string | undefined;
  readonly argv: readonly string[] | undefined;
  readonly netns: string | undefined;

  constructor(
    summary: string,
    iperf3Message: string | undefined,
    source: Iperf3Source | undefined,
    options: { hint?: string | undefined; cause?: unknown } = {},
  ) {
    const where =
      source === undefined
        ? ''
        : `: ${quoteArgv(source.argv)}${source.netns === undefined ? '' : ` in namespace ${source.netns}`}`;
    super('E_IPERF3', `${summary}${where}`, options);
    this.iperf3Message = iperf3Message;
    this.argv = source?.argv;
    this.netns = source?.netns;
  }
}

/** What to do about the errors iperf3 commonly reports. */
function hintFor(message: string): string | undefined {
  if (/unable to connect|connection refused|no route to host/i.test(message))
    return 'is an iperf3 server listening on that address and port, in the server host’s namespace?';
  if (/server is busy/i.test(message))
    return 'an iperf3 server runs one test at a time: give each flow its own server port';
  if (/address already in use|unable to bind/i.test(message))
    return 'another socket holds that address and port (or --cport); choose other ports';
  return undefined;
}

/** Reads typed fields out of iperf3's JSON by path (`intervals.3.sum.bytes`), naming what is missing. */
class Reader {
  readonly #doc: unknown;
  readonly #source: Iperf3Source | undefined;
  constructor(doc: unknown, source: Iperf3Source | undefined) {
    this.#doc = doc;
    this.#source = source;
  }

  at(path: string): unknown {
    let v = this.#doc;
    for (const key of path.split('.')) {
      if (Array.isArray(v) && /^\d+$/.test(key)) v = v[Number(key)] as unknown;
      else v = isRecord(v) ? v[key] : undefined;
    }
    return v;
  }

  number(path: string): number {
    const v = this.at(path);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.#missing(path, v, 'a number');
    return v;
  }

  optionalNumber(path: string): number | undefined {
    return this.at(path) === undefined ? undefined : this.number(path);
  }

  string(path: string): string {
    const v = this.at(path);
    if (typeof v !== 'string') throw this.#missing(path, v, 'a string');
    return v;
  }

  /** The array's paths (`intervals.0`, `intervals.1`, ...). */
  paths(path: string): string[] {
    const v = this.at(path);
    if (!Array.isArray(v)) throw this.#missing(path, v, 'an array');
    return v.map((_, i) => `${path}.${i}`);
  }

  #missing(path: string, got: unknown, expected: string): Iperf3Error {
    return new Iperf3Error(
      `iperf3 JSON has ${got === undefined ? 'no' : `a ${typeof got} for`} ${path}, expected ${expected}`,
      undefined,
      this.#source,
    );
  }
}

/**
 * Parses the output of an iperf3 client run with `-J` (TCP or UDP). iperf3's own `error` field
 * becomes an Iperf3Error (code E_IPERF3) carrying its message; so does output that is not JSON or
 * lacks a field this reads.
 */
export function parseIperf3Json(text: string, source?: Iperf3Source): Iperf3Result {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const head = text.trim().slice(0, 200);
    throw new Iperf3Error(
      `iperf3 output is not JSON (${(error as Error).message}); it began ${JSON.stringify(head)}`,
      undefined,
      source,
      { cause: error, hint: 'run iperf3 with -J, and nothing else on its standard output' },
    );
  }
  if (!isRecord(doc)) throw new Iperf3Error('iperf3 JSON is not an object', undefined, source);
  const r = new Reader(doc, source);
  if (typeof doc.error === 'string') {
    throw new Iperf3Error(`iperf3 failed: ${doc.error}`, doc.error, source, {
      hint: hintFor(doc.error),
    });
  }
  const protocolWord = r.string('start.test_start.protocol');
  if (protocolWord !== 'TCP' && protocolWord !== 'UDP') {
    throw new Iperf3Error(
      `iperf3 ran ${protocolWord}; only TCP and UDP are read`,
      undefined,
      source,
    );
  }
  const protocol: Iperf3Protocol = protocolWord === 'TCP' ? 'tcp' : 'udp';
  const tcp = protocol === 'tcp';

  const connected = r.paths('start.connected').map((c) => ({
    socket: r.number(`${c}.socket`),
    localHost: r.string(`${c}.local_host`),
    localPort: r.number(`${c}.local_port`),
    remoteHost: r.string(`${c}.remote_host`),
    remotePort: r.number(`${c}.remote_port`),
  }));

  const sample = (p: string): Omit<Iperf3StreamSample, 'socket'> => ({
    bytes: r.number(`${p}.bytes`),
    bitsPerSecond: r.number(`${p}.bits_per_second`),
    retransmits: tcp ? r.number(`${p}.retransmits`) : undefined,
    packets: tcp ? undefined : r.number(`${p}.packets`),
  });
  const intervals = r.paths('intervals').map((iv): Iperf3Interval => ({
    start: r.number(`${iv}.sum.start`),
    end: r.number(`${iv}.sum.end`),
    seconds: r.number(`${iv}.sum.seconds`),
    ...sample(`${iv}.sum`),
    omitted: r.at(`${iv}.sum.omitted`) === true,
    streams: r
      .paths(`${iv}.streams`)
      .map((s) => ({ socket: r.number(`${s}.socket`), ...sample(s) })),
  }));

  const side = (p: string): Iperf3Side => ({
    seconds: r.number(`${p}.seconds`),
    bytes: r.number(`${p}.bytes`),
    bitsPerSecond: r.number(`${p}.bits_per_second`),
  });
  // Older iperf3 reports UDP totals in end.sum only.
  const udpSent = r.at('end.sum_sent') === undefined ? 'end.sum' : 'end.sum_sent';
  const udpReceived = r.at('end.sum_received') === undefined ? 'end.sum' : 'end.sum_received';
  const end: Iperf3Totals = tcp
    ? {
        sent: side('end.sum_sent'),
        received: side('end.sum_received'),
        retransmits: r.number('end.sum_sent.retransmits'),
        udp: undefined,
      }
    : {
        sent: side(udpSent),
        received: side(udpReceived),
        retransmits: undefined,
        udp: {
          packets: r.number(`${udpSent}.packets`),
          lostPackets: r.number(`${udpReceived}.lost_packets`),
          lostPercent: r.number(`${udpReceived}.lost_percent`),
          jitterMs: r.number(`${udpReceived}.jitter_ms`),
        },
      };

  const cpu = (key: string): number => r.number(`end.cpu_utilization_percent.${key}`);
  const serverText = r.at('server_output_text');
  return {
    version: r.string('start.version'),
    protocol,
    durationS: r.number('start.test_start.duration'),
    omitS: r.optionalNumber('start.test_start.omit') ?? 0,
    numStreams: r.number('start.test_start.num_streams'),
    connected,
    intervals,
    receiverIntervals:
      !tcp && typeof serverText === 'string' ? parseUdpServerText(serverText) : undefined,
    end,
    cpu: {
      hostTotal: cpu('host_total'),
      hostUser: cpu('host_user'),
      hostSystem: cpu('host_system'),
      remoteTotal: cpu('remote_total'),
      remoteUser: cpu('remote_user'),
      remoteSystem: cpu('remote_system'),
    },
  };
}

/**
 * A UDP interval line of an iperf3 server's text report:
 * `[  5]   1.00-2.00   sec  23.8 MBytes   200 Mbits/sec  0.014 ms  0/17263 (0%)  (omitted)`.
 * The end summary ends in "receiver" and is not an interval.
 */
const UDP_INTERVAL_LINE =
  /^\[\s*(\d+|SUM)\]\s+([\d.]+)-([\d.]+)\s+sec\s.*?\s([\d.]+)\s+ms\s+(\d+)\/(\d+)\s+\([^)]*%\)\s*(\(omitted\))?\s*$/;

/**
 * The receiver's intervals from the server's text report (a server started without -J, so its
 * readiness can be read). Per interval, the [SUM] line when there are several streams.
 */
export function parseUdpServerText(text: string): Iperf3ReceiverInterval[] {
  const rows = text
    .split('\n')
    .map((line) => UDP_INTERVAL_LINE.exec(line.trimEnd()))
    .filter((m) => m !== null)
    .map((m) => {
      const packets = Number(m[6]);
      const lostPackets = Number(m[5]);
      return {
        id: m[1] as string,
        interval: {
          start: Number(m[2]),
          end: Number(m[3]),
          omitted: m[7] !== undefined,
          jitterMs: Number(m[4]),
          packets,
          lostPackets,
          lostPercent: packets === 0 ? 0 : (100 * lostPackets) / packets,
        },
      };
    });
  const sums = rows.filter((row) => row.id === 'SUM');
  return (sums.length > 0 ? sums : rows).map((row) => row.interval);
}
