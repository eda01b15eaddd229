/**
 * Probe CPU benchmark: what the failover probe costs. Runs the probe between two hosts for
 * `--seconds` at 100 and 1000 probes/s each way and reads the agents' CPU time from /proc; the
 * baseline, in the same run and between the same hosts, is iputils ping at the same rate (one
 * way, with replies). Prints CPU as a share of one core, and per probe.
 *
 * Run: npm run bench:probe-cpu -- [--seconds 5] [--kernel host|uml]
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { namespacedArgv } from '../harness/exec/run.js';
import { withRun } from '../harness/lifecycle/run-context.js';
import { ProbeStream } from '../harness/measure/probe.js';
import { analyseProbe } from '../harness/measure/probe-analysis.js';
import { directPair } from '../harness/topology/examples.js';
import { Topology } from '../harness/topology/topology.js';
import { benchInGuest, benchKernel } from './lib/in-guest.js';
import { intArg } from './lib/stats.js';

const seconds = intArg('seconds', 5);
const RATES = [100, 1000];
const TICKS_PER_S = 100; // USER_HZ: /proc/PID/stat counts CPU time in 1/100 s

const target = await benchKernel('host');
process.exitCode =
  target.kind === 'host' ? await benchHere() : await benchInGuest(target, import.meta.url);

/** utime + stime of a process, in seconds; undefined once it is gone. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return undefined;
  }
}

async function benchHere(): Promise<number> {
  const rows: string[] = [];
  await withRun(async (run) => {
    const topo = await Topology.build(run, directPair());
    for (const rate of RATES) {
      const stream = await ProbeStream.start(run, topo, 'a', 'b', { rate });
      const before = stream.pids.map((p) => cpuSeconds(p) ?? 0);
      await sleep(seconds * 1000, undefined, { signal: run.signal });
      const after = stream.pids.map((p) => cpuSeconds(p) ?? 0);
      const capture = await stream.stop(run.signal);
      const r = analyseProbe(capture);
      const cpu = after.reduce((s, x, i) => s + x - (before[i] ?? 0), 0);
      const probes =
        (r.aToB.sent + r.bToA.sent) *
        (seconds / ((capture.stoppedAtMs - capture.startedAtMs) / 1000));
      const pingCpu = await pingBaseline(topo, rate);
      rows.push(
        `  ${String(rate).padStart(5)}/s each way: probe agents ${((100 * cpu) / seconds).toFixed(1)}% of a core ` +
          `(${((cpu * 1e6) / probes).toFixed(1)} µs per probe sent, lost ${r.lost}); ` +
          `ping -i ${1 / rate} ${((100 * pingCpu) / seconds).toFixed(1)}%; ratio probe/ping ${(cpu / Math.max(pingCpu, 1 / TICKS_PER_S)).toFixed(2)}x`,
      );
    }
  });
  console.log(`probe CPU benchmark: ${seconds} s per rate, CPU time from /proc (resolution 10 ms)`);
  for (const row of rows) console.log(row);
  console.log(
    '  (the probe sends both ways and timestamps every arrival; ping sends one way and gets replies)',
  );
  return 0;
}

/** CPU seconds of `ping` at `rate` from a to b for the benchmark's duration, read just before it ends. */
async function pingBaseline(topo: Topology, rate: number): Promise<number> {
  const argv = namespacedArgv(
    ['ping', '-q', '-n', '-i', String(1 / rate), '-w', String(seconds + 1), topo.address('b')],
    topo.netns('a'),
  );
  const [file, ...args] = argv as [string, ...string[]];
  const ping = execa(file, args, { reject: false });
  const pid = ping.pid ?? 0;
  await sleep(500);
  const start = cpuSeconds(pid) ?? 0;
  await sleep(seconds * 1000);
  const end = cpuSeconds(pid) ?? start;
  ping.kill();
  await ping;
  return end - start;
}
