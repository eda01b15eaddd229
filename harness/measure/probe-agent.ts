/**
 * The probe agent: runs inside one host's namespace (`ip netns exec NS node probe-agent.js CONFIG`),
 * sends sequence-numbered UDP probes to its peer at a constant rate and timestamps every probe it
 * receives with the monotonic clock. Driven by JSON lines on stdin (see probe-wire.ts); if stdin
 * closes before `stop`, the harness is gone and the agent exits at once.
 */
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import { monotonicMs, toMicros } from './clock.js';
import {
  PROBE_LIMITS,
  decodeProbe,
  encodeProbe,
  type AgentCommand,
  type AgentConfig,
  type AgentMessage,
} from './probe-wire.js';

function say(message: AgentMessage, then?: () => void): void {
  process.stdout.write(`${JSON.stringify(message)}\n`, then);
}

function fail(message: string): never {
  process.stderr.write(`probe-agent: ${message}\n`);
  process.exit(2);
}

function parseConfig(text: string | undefined): AgentConfig {
  if (text === undefined) fail('usage: probe-agent.js <json config>');
  const c = JSON.parse(text) as AgentConfig;
  const rateOk = c.rate >= PROBE_LIMITS.minRate && c.rate <= PROBE_LIMITS.maxRate;
  if (!rateOk) fail(`rate ${c.rate} is outside ${PROBE_LIMITS.minRate}-${PROBE_LIMITS.maxRate}`);
  if (!(c.tickMs >= 0 && c.tickMs <= 100)) fail(`tickMs ${c.tickMs} is outside 0-100`);
  if (!(c.maxDurationMs > 0 && c.maxDurationMs <= PROBE_LIMITS.maxDurationMs)) {
    fail(`maxDurationMs ${c.maxDurationMs} is outside 1-${PROBE_LIMITS.maxDurationMs}`);
  }
  return c;
}

const config = parseConfig(process.argv[2]);
const capacity = Math.min(
  PROBE_LIMITS.maxProbes,
  Math.ceil((config.rate * config.maxDurationMs) / 1000) + PROBE_LIMITS.maxBurst,
);
const intervalMs = 1000 / config.rate;
const txMs = new Float64Array(capacity);
// The peer sends at most as many as we do; a little more room for duplicates.
const rxCapacity = capacity + capacity / 8;
const rxSeq = new Uint32Array(rxCapacity);
const rxMs = new Float64Array(rxCapacity);
let sent = 0;
let received = 0;
let sendErrors = 0;
let foreign = 0;
let overflow = 0;
let timedOut = false;
let stopped = false;
let timer: NodeJS.Timeout | undefined;

const socket = dgram.createSocket({ type: config.family === 6 ? 'udp6' : 'udp4' });
socket.on('message', (msg) => {
  const at = monotonicMs();
  const seq = decodeProbe(msg, config.session);
  if (seq === undefined) {
    foreign++;
  } else if (received < rxCapacity) {
    rxSeq[received] = seq;
    rxMs[received] = at;
    received++;
  } else {
    overflow++;
  }
});
let ready = false;
socket.on('error', (error) => {
  // Before it listens, an error (a bind that fails) is fatal; after, it is one lost probe (an ICMP
  // error from the peer that already stopped, say).
  if (!ready) fail(`socket: ${error.message}`);
  sendErrors++;
});

function onSent(error: Error | null): void {
  if (error !== null) sendErrors++;
}

function startSending(): void {
  const start = monotonicMs();
  const deadline = start + config.maxDurationMs;
  const tick = (): void => {
    if (stopped) return;
    const now = monotonicMs();
    if (now >= deadline || sent >= capacity) {
      timedOut = true;
      stop();
      return;
    }
    // Send every probe that is due; after a stall (no CPU, a coarse timer tick), catch up with a
    // bounded burst and skip the rest: each probe's real send time is recorded either way.
    let due = Math.floor((now - start) / intervalMs) + 1 - sent;
    if (due > PROBE_LIMITS.maxBurst) due = PROBE_LIMITS.maxBurst;
    for (; due > 0 && sent < capacity; due--) {
      txMs[sent] = monotonicMs();
      socket.send(encodeProbe(config.session, sent), onSent);
      sent++;
    }
    const nextAt = start + sent * intervalMs;
    timer = setTimeout(tick, Math.max(config.tickMs, nextAt - monotonicMs()));
  };
  tick();
}

function report(): void {
  const round = (a: Float64Array, n: number): number[] => Array.from(a.subarray(0, n), toMicros);
  say(
    {
      result: {
        txMs: round(txMs, sent),
        sendErrors,
        rxSeq: Array.from(rxSeq.subarray(0, received)),
        rxMs: round(rxMs, received),
        foreign,
        overflow,
        timedOut,
      },
    },
    () => process.exit(0),
  );
}

function stop(): void {
  if (stopped) return;
  stopped = true;
  clearTimeout(timer);
  setTimeout(report, config.drainMs);
}

const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  const command = JSON.parse(line) as AgentCommand;
  // Connected, so each send skips the address lookup: fewer cycles per probe.
  if ('go' in command) socket.connect(command.go.port, command.go.peer, startSending);
  else stop();
});
input.on('close', () => {
  // The harness is gone (or closed our stdin without `stop`): nobody will read a result.
  if (!stopped) process.exit(0);
});

// Whatever happens to the harness, an agent does not outlive its longest possible run.
setTimeout(() => process.exit(3), config.maxDurationMs + config.drainMs + 60_000).unref();

socket.bind({ address: config.bind, port: 0 }, () => {
  ready = true;
  say({ ready: { port: socket.address().port } });
});
