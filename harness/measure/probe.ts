import { randomInt } from 'node:crypto';
import { Daemon } from '../exec/daemon.js';
import { InputError } from '../errors.js';
import type { RunContext } from '../lifecycle/run-context.js';
import { builtProgramPath } from '../project.js';
import type { Topology } from '../topology/topology.js';
import { expectInteger } from '../topology/validate.js';
import { monotonicMs } from './clock.js';
import type { TimerResolution } from './timer-resolution.js';
import {
  PROBE_LIMITS,
  type AgentConfig,
  type AgentMessage,
  type AgentResult,
} from './probe-wire.js';

export interface ProbeOptions {
  /** Probes per second, each way. Default 1000. */
  rate?: number;
  family?: 4 | 6;
  /** The agents stop by themselves after this long. Default 120 s. */
  maxDurationMs?: number;
  /** After stop, how long to wait for probes in flight. Default 200 ms. */
  drainMs?: number;
  /** How often the agents wake to send, ms (probeTickFor picks it from the kernel). Default 1. */
  tickMs?: number;
}

/**
 * The agents' wake-up period for a kernel: 1 ms where a 1 ms sleep takes about that, else the
 * kernel's real tick (10 ms inside User-mode Linux), where waking more often only burns CPU.
 */
export function probeTickFor(resolution: TimerResolution): number {
  return resolution.sleep1msMs < 3 ? 1 : Math.min(20, Math.round(resolution.sleep1msMs));
}

/** What both agents saw: a→b is what a sent and b received, and the other way round. */
export interface ProbeCapture {
  a: string;
  b: string;
  rate: number;
  family: 4 | 6;
  /** Monotonic ms when the harness told the agents to start, and to stop. */
  startedAtMs: number;
  stoppedAtMs: number;
  aToB: DirectionCapture;
  bToA: DirectionCapture;
}

/**
 * One direction, in an agent's result shape: the sender's send times, send errors and stop, and the
 * receiver's arrivals, foreign datagrams and overflow.
 */
export type DirectionCapture = AgentResult;

/** A C program (probe-agent.c): a node process per namespace took the whole CPU inside UML. */
const AGENT_PROGRAM = 'harness/measure/probe-agent';
const READY_TIMEOUT_MS = 60_000;
const RESULT_TIMEOUT_MS = 30_000;

/** Checks probe options where they enter; raises InputError naming the field. */
export function validateProbeOptions(options: ProbeOptions): Required<ProbeOptions> {
  const rate = expectInteger(
    'probe.rate',
    options.rate ?? 1000,
    PROBE_LIMITS.minRate,
    PROBE_LIMITS.maxRate,
    'probes/s',
  );
  const family: unknown = options.family ?? 4;
  if (family !== 4 && family !== 6) {
    throw new InputError('probe.family', family, '4 or 6');
  }
  const maxDurationMs = expectInteger(
    'probe.maxDurationMs',
    options.maxDurationMs ?? 120_000,
    1,
    PROBE_LIMITS.maxDurationMs,
    'ms',
  );
  const drainMs = expectInteger('probe.drainMs', options.drainMs ?? 200, 0, 10_000, 'ms');
  const tickMs = expectInteger('probe.tickMs', options.tickMs ?? 1, 1, 100, 'ms');
  return { rate, family, maxDurationMs, drainMs, tickMs };
}

function parseMessage(line: string): AgentMessage | undefined {
  try {
    return JSON.parse(line) as AgentMessage;
  } catch {
    return undefined;
  }
}

/**
 * A constant-rate stream of sequence-numbered UDP probes between two hosts, both ways: one agent
 * process in each host's namespace sends to the other and timestamps what arrives, on the
 * monotonic clock the whole kernel shares. Start it, inject the fault, stop it, analyse the capture
 * (probe-analysis.ts).
 */
export class ProbeStream {
  readonly a: string;
  readonly b: string;
  readonly options: Required<ProbeOptions>;
  readonly startedAtMs: number;
  readonly #agents: [Daemon, Daemon];

  private constructor(
    a: string,
    b: string,
    options: Required<ProbeOptions>,
    agents: [Daemon, Daemon],
    startedAtMs: number,
  ) {
    this.a = a;
    this.b = b;
    this.options = options;
    this.#agents = agents;
    this.startedAtMs = startedAtMs;
  }

  /** Starts both agents, waits until both listen, then starts the probes both ways. */
  static async start(
    run: RunContext,
    topology: Topology,
    a: string,
    b: string,
    options: ProbeOptions = {},
  ): Promise<ProbeStream> {
    const checked = validateProbeOptions(options);
    const agentPath = builtProgramPath(AGENT_PROGRAM);
    return ProbeStream.#start(run, topology, a, b, checked, agentPath);
  }

  static async #start(
    run: RunContext,
    topology: Topology,
    a: string,
    b: string,
    checked: Required<ProbeOptions>,
    agentPath: string,
  ): Promise<ProbeStream> {
    const session = randomInt(1, 2 ** 32 - 1);
    const addresses = [topology.address(a, checked.family), topology.address(b, checked.family)];
    const agents = [a, b].map((host, i) => {
      const config: AgentConfig = {
        bind: addresses[i] ?? '',
        family: checked.family,
        rate: checked.rate,
        maxDurationMs: checked.maxDurationMs,
        drainMs: checked.drainMs,
        tickMs: checked.tickMs,
        session,
        // The agent enters the namespace and takes real-time priority itself (so a busy CPU,
        // iperf3 across the same fault say, does not delay probes): no `ip netns exec`, no chrt.
        netns: topology.netns(host),
        realtime: 1,
      };
      return Daemon.start(run, [agentPath, JSON.stringify(config)], { graceMs: 500 });
    }) as [Daemon, Daemon];
    let warned = false;
    const ready = Promise.all(
      agents.map(async (agent) => {
        const line = await agent.waitForLine(
          (l) => parseMessage(l) !== undefined && 'ready' in (parseMessage(l) ?? {}),
          'probe agent ready',
          READY_TIMEOUT_MS,
          run.signal,
        );
        const message = parseMessage(line);
        if (message === undefined || !('ready' in message)) throw agent.error('unexpected output');
        if (!message.ready.realtime && !warned) {
          warned = true;
          run.log(
            `probe agents: no real-time priority here (${agent.stderrTail.join(' ')}); their timing is less exact`,
          );
        }
        return message.ready.port;
      }),
    );
    let ports: number[];
    try {
      ports = await ready;
    } catch (error) {
      await Promise.all(agents.map((agent) => agent.stop()));
      throw error;
    }
    const startedAtMs = monotonicMs();
    agents[0].write(JSON.stringify({ go: { peer: addresses[1], port: ports[1] } }));
    agents[1].write(JSON.stringify({ go: { peer: addresses[0], port: ports[0] } }));
    return new ProbeStream(a, b, checked, agents, startedAtMs);
  }

  /** The agents' process ids (to account for their CPU, say). */
  get pids(): number[] {
    return this.#agents.map((a) => a.pid).filter((p): p is number => p !== undefined);
  }

  /** Stops the probes, waits for those in flight, and collects both agents' records. */
  async stop(signal?: AbortSignal): Promise<ProbeCapture> {
    const stoppedAtMs = monotonicMs();
    for (const agent of this.#agents) agent.write(JSON.stringify({ stop: true }));
    const results = await Promise.all(
      this.#agents.map(async (agent): Promise<AgentResult> => {
        const line = await agent.waitForLine(
          (l) => l.startsWith('{"result"'),
          'probe agent result',
          this.options.drainMs + RESULT_TIMEOUT_MS,
          signal,
        );
        await agent.waitForExit(RESULT_TIMEOUT_MS);
        const message = parseMessage(line);
        if (message === undefined || !('result' in message)) throw agent.error('unreadable result');
        return message.result;
      }),
    );
    const [fromA, fromB] = results as [AgentResult, AgentResult];
    const direction = (sender: AgentResult, receiver: AgentResult): DirectionCapture => ({
      txMs: sender.txMs,
      sendErrors: sender.sendErrors,
      rxSeq: receiver.rxSeq,
      rxMs: receiver.rxMs,
      foreign: receiver.foreign,
      overflow: receiver.overflow,
      timedOut: sender.timedOut,
    });
    return {
      a: this.a,
      b: this.b,
      rate: this.options.rate,
      family: this.options.family,
      startedAtMs: this.startedAtMs,
      stoppedAtMs,
      aToB: direction(fromA, fromB),
      bToA: direction(fromB, fromA),
    };
  }

  /** Ends both agents at once without a result (an aborted measurement). */
  async abort(): Promise<void> {
    await Promise.all(this.#agents.map((agent) => agent.stop()));
  }
}
