/**
 * What the probe agents and the harness say to each other, and what a probe datagram holds: the
 * harness side (probe.ts) uses these; the agent (probe-agent.c, inside a namespace) mirrors them,
 * constants and limits included, so a change here is a change there.
 */

// A probe datagram (12 bytes: magic "BLP1", session, sequence number) is the agent's business:
// see probe-agent.c.

/** Bounds every agent enforces on itself, whatever the harness asks. */
export const PROBE_LIMITS = {
  minRate: 1,
  maxRate: 10_000,
  /** An agent stops sending after this long even if nobody says stop. */
  maxDurationMs: 600_000,
  /** At most this many probes per direction are kept (rate × duration is capped by it too). */
  maxProbes: 2_000_000,
  /** Probes sent at once to catch up after the process was not scheduled. */
  maxBurst: 64,
} as const;

/**
 * Agent command line: `probe-agent <json>`, one argument: a flat object with exactly these keys,
 * integers (and `bind` a string without escapes), as JSON.stringify writes them.
 */
export interface AgentConfig {
  bind: string;
  family: 4 | 6;
  rate: number;
  /**
   * How often the agent wakes to send what is due, ms. 1 on a normal kernel; inside User-mode
   * Linux, where timers tick every 10 ms and each wake of node costs ~2 ms of CPU, the tick: the
   * probes then leave in small bursts, which is all the resolution that kernel has anyway.
   */
  tickMs: number;
  maxDurationMs: number;
  /** How long to keep receiving after `stop`, for probes still in flight. */
  drainMs: number;
  session: number;
  /** The namespace (under /run/netns) the agent enters itself; "" stays where it starts. */
  netns: string;
  /** 1: ask for real-time (FIFO) priority, so a busy CPU does not delay probes. */
  realtime: 0 | 1;
}

/** Harness → agent, one JSON object per line on the agent's stdin. */
export type AgentCommand = { go: { peer: string; port: number } } | { stop: true };

/** Agent → harness, one JSON object per line on its stdout. */
export type AgentMessage = { ready: { port: number; realtime: boolean } } | { result: AgentResult };

/** What one agent saw: what it sent and what it received from its peer. */
export interface AgentResult {
  /** Monotonic send time of each probe, ms, indexed by sequence number. */
  txMs: number[];
  /** Sends the kernel refused (e.g. no route while a link is down): those probes are lost. */
  sendErrors: number;
  /** Received probes in arrival order: sequence number and monotonic arrival time, ms. */
  rxSeq: number[];
  rxMs: number[];
  /** Datagrams that were not probes of this session. */
  foreign: number;
  /** Probes dropped because the receive buffer was full (bounded storage). */
  overflow: number;
  /** Sending stopped because maxDurationMs passed, not because the harness said stop. */
  timedOut: boolean;
}
