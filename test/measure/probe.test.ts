/**
 * Probe streams for real: the C agent (probe-agent.c) on both ends of a veth pair, both ways at
 * 1000 probes/s. What they record is sane, nothing is left running, a refused send is counted and
 * never fatal, a closed stdin ends an agent silently, and bad config exits 2 before anything.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { Daemon } from '../../harness/exec/daemon.js';
import { parseNetnsName } from '../../harness/lifecycle/names.js';
import { pidsInNetns } from '../../harness/lifecycle/netns.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { monotonicMs } from '../../harness/measure/clock.js';
import { ProbeStream, type DirectionCapture } from '../../harness/measure/probe.js';
import {
  PROBE_LIMITS,
  type AgentConfig,
  type AgentMessage,
} from '../../harness/measure/probe-wire.js';
import { builtProgramPath } from '../../harness/project.js';
import { directPair } from '../../harness/topology/examples.js';
import { Topology } from '../../harness/topology/topology.js';
import { ROOT, isolateState, leaks, snapshot, type HostSnapshot } from '../fixtures/host.js';
import { pidsWhere } from '../fixtures/processes.js';

isolateState(t);

const AGENT = 'harness/measure/probe-agent';

/** The agent binary; a lone `npx tap` of this file builds it when it is missing or stale. */
function agentPath(): string {
  try {
    return builtProgramPath(AGENT);
  } catch {
    spawnSync('npm', ['run', 'build:agent'], { cwd: ROOT, stdio: 'inherit' });
    return builtProgramPath(AGENT);
  }
}
const agent = agentPath();

/** What run `id` left behind; other runs (another test process) may come and go meanwhile. */
function leaksOf(id: string, before: HostSnapshot): HostSnapshot {
  const l = leaks(before);
  return { netns: l.netns.filter((n) => parseNetnsName(n)?.runId === id), links: l.links };
}

const NO_LEAKS = { netns: [], links: [] };

/** Of these pids, the ones that are still a probe agent. */
function agentsAlive(pids: readonly number[]): number[] {
  return pidsWhere((argv) => argv[0] === agent).filter((p) => pids.includes(p));
}

function argv0(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
}

/** Indexes where `xs` goes down. */
function decreases(xs: readonly number[]): number[] {
  return xs.flatMap((x, i) => (i > 0 && x < (xs[i - 1] ?? x) ? [i] : []));
}

function checkDirection(
  t: Test,
  name: string,
  d: DirectionCapture,
  startedAtMs: number,
  endedAtMs: number,
): void {
  const sent = d.txMs.length;
  const distinct = new Set(d.rxSeq);
  t.ok(sent > 0, `${name}: sent ${sent} probes`);
  t.ok(distinct.size >= sent * 0.99, `${name}: ${distinct.size} of ${sent} arrived`);
  t.match(
    { sendErrors: d.sendErrors, foreign: d.foreign, overflow: d.overflow, timedOut: d.timedOut },
    { sendErrors: 0, foreign: 0, overflow: 0, timedOut: false },
    `${name}: no errors, nothing foreign, nothing dropped, stopped by the harness`,
  );
  t.equal(d.rxSeq.length, d.rxMs.length, `${name}: one arrival time per arrival`);
  t.same(decreases(d.txMs), [], `${name}: send times never go back`);
  t.ok(
    (d.txMs[0] ?? 0) >= startedAtMs && (d.txMs.at(-1) ?? 0) <= endedAtMs,
    `${name}: sent between go and the end of stop, on the harness's monotonic clock`,
  );
  t.same(
    d.rxSeq.filter((seq) => !Number.isInteger(seq) || seq < 0 || seq >= sent),
    [],
    `${name}: every sequence number was sent`,
  );
  const early = d.rxSeq.flatMap((seq, i) => {
    const at = d.rxMs[i] ?? Number.NaN;
    const tx = d.txMs[seq] ?? Number.NaN;
    return at >= tx && at <= endedAtMs ? [] : [{ seq, tx, at }];
  });
  t.same(early.slice(0, 5), [], `${name}: every probe arrived after it was sent, before the end`);
  // As printed: at most three decimals (ms * 1000 is not exact in floating point).
  const micros = [...d.txMs, ...d.rxMs].filter((ms) => !/^\d+(\.\d{1,3})?$/.test(String(ms)));
  t.same(micros.slice(0, 5), [], `${name}: times in ms with microsecond precision`);
}

for (const family of [4, 6] as const) {
  void t.test(`IPv${family}, both ways at 1000/s for a second`, async (t) => {
    const before = snapshot();
    let id = '';
    const pids: number[] = [];
    const { capture, endedAtMs } = await withRun(async (run) => {
      id = run.id;
      const topo = await Topology.build(run, directPair());
      const stream = await ProbeStream.start(run, topo, 'a', 'b', {
        rate: 1000,
        tickMs: 1,
        family,
      });
      pids.push(...[...pidsInNetns([topo.netns('a'), topo.netns('b')]).values()].flat());
      t.same(
        pids.map(argv0),
        [agent, agent],
        'one agent per namespace: the C program itself, no node, no ip left in between',
      );
      await sleep(1000);
      const capture = await stream.stop();
      return { capture, endedAtMs: monotonicMs() };
    });
    t.equal(capture.family, family, 'the family asked for');
    checkDirection(t, 'a→b', capture.aToB, capture.startedAtMs, endedAtMs);
    checkDirection(t, 'b→a', capture.bToA, capture.startedAtMs, endedAtMs);
    t.same(agentsAlive(pids), [], 'both agents exited after their result');
    t.same(leaksOf(id, before), NO_LEAKS, 'nothing left on the host');
  });
}

void t.test('an agent alone, driven by hand', async (t) => {
  const before = snapshot();
  let id = '';
  const pids: number[] = [];
  await withRun(async (run) => {
    id = run.id;
    const topo = await Topology.build(run, directPair());
    const config: AgentConfig = {
      bind: topo.address('a'),
      family: 4,
      rate: 1000,
      tickMs: 1,
      maxDurationMs: 10_000,
      drainMs: 100,
      session: 42,
      netns: topo.netns('a'),
      realtime: 0,
    };
    const start = (): Daemon => {
      const d = Daemon.start(run, [agent, JSON.stringify(config)]);
      if (d.pid !== undefined) pids.push(d.pid);
      return d;
    };
    const ready = (d: Daemon): Promise<string> =>
      d.waitForLine((l) => l.startsWith('{"ready"'), 'ready', 10_000, run.signal);

    // Nothing listens on b: each probe draws an ICMP port unreachable.
    const refused = start();
    await ready(refused);
    refused.write(JSON.stringify({ go: { peer: topo.address('b'), port: 9 } }));
    await sleep(300);
    refused.write(JSON.stringify({ stop: true }));
    const line = await refused.waitForLine((l) => l.startsWith('{"result"'), 'result', 10_000);
    await refused.waitForExit(10_000);
    const message = JSON.parse(line) as AgentMessage;
    const result = 'result' in message ? message.result : undefined;
    t.ok((result?.txMs.length ?? 0) > 0, 'it kept sending');
    t.ok((result?.sendErrors ?? 0) > 0, `refused sends counted (${result?.sendErrors}), not fatal`);
    t.same(result?.rxSeq, [], 'nothing came back');

    const orphan = start();
    await ready(orphan);
    orphan.write(JSON.stringify({ go: { peer: topo.address('b'), port: 9 } }));
    orphan.endInput();
    await orphan.waitForExit(10_000);
    t.equal(orphan.lines.length, 1, 'stdin closed before stop: exit 0 at once, no result');

    const bad = start();
    await ready(bad);
    bad.write('{"go":{"peer":"2001:2::2","port":9}}');
    await bad.exited;
    t.match(
      bad.error('bad go'),
      { exitCode: 2, stderr: /peer "2001:2::2" is not an IPv4 address/ },
      'a bad command: exit 2, saying why',
    );
  });
  t.same(agentsAlive(pids), [], 'no agent left');
  t.same(leaksOf(id, before), NO_LEAKS, 'nothing left on the host');
});

void t.test('bad config: exit 2 before anything, the message names the field', async (t) => {
  const good: AgentConfig = {
    bind: '198.18.0.1',
    family: 4,
    rate: 1000,
    tickMs: 1,
    maxDurationMs: 1000,
    drainMs: 0,
    session: 1,
    netns: '',
    realtime: 0,
  };
  const cases: [string, string[], RegExp][] = [
    ['a namespace name with a slash', [JSON.stringify({ ...good, netns: '../etc' })], /netns/],
    [
      'rate 0',
      [JSON.stringify({ ...good, rate: 0 })],
      /rate is 0: allowed is an integer from 1 to 10000/,
    ],
    [
      'rate above the limit',
      [JSON.stringify({ ...good, rate: PROBE_LIMITS.maxRate + 1 })],
      /rate is 10001/,
    ],
    ['a fractional rate', [JSON.stringify({ ...good, rate: 1.5 })], /rate is 1\.5/],
    [
      'maxDurationMs above the limit',
      [JSON.stringify({ ...good, maxDurationMs: PROBE_LIMITS.maxDurationMs + 1 })],
      /maxDurationMs is 600001/,
    ],
    ['family 5', [JSON.stringify({ ...good, family: 5 })], /family is 5: allowed is 4 or 6/],
    ['an IPv6 bind for family 4', [JSON.stringify({ ...good, bind: '::1' })], /bind "::1"/],
    ['an unknown key', [JSON.stringify({ ...good, extra: 1 })], /unknown key "extra"/],
    ['a missing key', [JSON.stringify({ ...good, session: undefined })], /missing key "session"/],
    ['not JSON', ['rate=1000'], /not a JSON object/],
    ['no argument', [], /usage/],
  ];
  for (const [what, args, message] of cases) {
    const r = spawnSync(agent, args, { encoding: 'utf8', timeout: 10_000 });
    t.equal(r.status, 2, `${what}: exit 2`);
    t.match(r.stderr, message, `${what}: says why`);
    t.equal(r.stdout, '', `${what}: never ready`);
  }
});
