/**
 * A degraded link end for real: the qdisc the kernel reports while it is in, and after restore the
 * one the topology had. netem where the kernel has it (User-mode Linux here, through
 * faults-in-guest.test.ts); where it has not (this build machine), the clear refusal instead.
 */
import { release } from 'node:os';
import t from 'tap';
import { InputError, KernelUnsupportedError } from '../../harness/errors.js';
import { spawnCount } from '../../harness/exec/run.js';
import { degrade, type DegradeOptions } from '../../harness/faults/degrade.js';
import { FaultInjector, type Fault } from '../../harness/faults/fault.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { switchedPair } from '../../harness/topology/examples.js';
import type { TopologySpec } from '../../harness/topology/spec.js';
import { Topology } from '../../harness/topology/topology.js';
import { isolateState } from '../fixtures/host.js';
import { kernelHasNetem, rootQdisc } from './observe.js';

isolateState(t);

const hasNetem = await kernelHasNetem();
const NETEM_HERE = 'this kernel has netem: the real qdisc is tested instead';
const NO_NETEM = 'this kernel has no netem';

/** switchedPair with client:eth1 shaped to 100 Mbit/s, as a topology may declare. */
function shapedPair(): TopologySpec {
  const spec = switchedPair();
  const eth1 = spec.links[1];
  if (eth1 !== undefined) eth1.shape = { a: { kind: 'tbf', rateMbit: 100 } };
  return spec;
}

async function injected<T>(topo: Topology, fault: Fault, during: () => Promise<T>): Promise<T> {
  const injector = await FaultInjector.start(topo.run, topo, [fault]);
  injector.inject(fault);
  try {
    return await during();
  } finally {
    await injector.close();
  }
}

/** Round-trip times of `count` pings, ms. */
async function rtts(topo: Topology, count: number): Promise<number[]> {
  const { stdout } = await topo.exec(
    'client',
    ['ping', '-4', '-n', '-c', String(count), '-i', '0.2', '-W', '2', topo.address('server')],
    { okExitCodes: [1] },
  );
  return [...stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
}

void t.test(
  'a rate alone is a tbf; restore deletes it, or puts back the declared shaping',
  async (t) => {
    await withRun(async (run) => {
      const topo = await Topology.build(run, shapedPair(), { ready: 'links' });
      t.equal((await rootQdisc(topo, 'client', 'eth0')).kind, 'noqueue', 'eth0 starts unshaped');
      const slow = await degrade(topo, 'client', 'eth0', { rateMbit: 10 });
      t.match(slow, { kind: 'degrade', target: 'client:eth0', describe: /rateMbit 10; tbf/ });
      await injected(topo, slow, async () => {
        t.match(
          await rootQdisc(topo, 'client', 'eth0'),
          { kind: 'tbf', options: { rate: 1_250_000 } },
          'the kernel shapes eth0 to 10 Mbit/s',
        );
      });
      t.equal((await rootQdisc(topo, 'client', 'eth0')).kind, 'noqueue', 'restore deleted it');

      const slower = await degrade(topo, 'client', 'eth1', { rateMbit: 5 });
      await injected(topo, slower, async () => {
        t.match(await rootQdisc(topo, 'client', 'eth1'), {
          kind: 'tbf',
          options: { rate: 625_000 },
        });
      });
      t.match(
        await rootQdisc(topo, 'client', 'eth1'),
        { kind: 'tbf', options: { rate: 12_500_000 } },
        'restore put the declared 100 Mbit/s back',
      );
    });
  },
);

void t.test(
  'delay, jitter, loss and rate are one netem',
  { skip: hasNetem ? false : NO_NETEM },
  async (t) => {
    await withRun(async (run) => {
      const topo = await Topology.build(run, switchedPair());
      const before = Math.max(...(await rtts(topo, 3)));
      const fault = await degrade(topo, 'client', 'eth0', {
        delayMs: 50,
        jitterMs: 5,
        lossPercent: 1,
        rateMbit: 100,
      });
      t.match(fault.describe, /delayMs 50, jitterMs 5, lossPercent 1; netem/);
      t.equal(
        (await rootQdisc(topo, 'client', 'lo')).kind,
        'noqueue',
        'the probe left lo as it was',
      );
      const during = await injected(topo, fault, async () => {
        const q = await rootQdisc(topo, 'client', 'eth0');
        t.equal(q.kind, 'netem');
        t.match(
          q.options,
          {
            delay: { delay: 0.05, jitter: 0.005 },
            'loss-random': { loss: 0.01 },
            rate: { rate: 12_500_000 },
          },
          'the kernel holds 50 ms ± 5 ms, 1 % loss, 100 Mbit/s',
        );
        return rtts(topo, 5);
      });
      t.ok(during.length > 0 && Math.min(...during) >= 45, 'pings take at least 45 ms', { during });
      t.equal((await rootQdisc(topo, 'client', 'eth0')).kind, 'noqueue', 'restore deleted it');
      const after = await rtts(topo, 3);
      t.ok(Math.min(...after) < 45, 'and the delay is gone', { before, after });
    });
  },
);

void t.test(
  'without netem: a KernelUnsupportedError naming the qdisc and the kernel, nothing applied',
  { skip: hasNetem ? NETEM_HERE : false },
  async (t) => {
    await withRun(async (run) => {
      const topo = await Topology.build(run, switchedPair(), { ready: 'links' });
      const error = await degrade(topo, 'client', 'eth0', { delayMs: 50, lossPercent: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      t.ok(error instanceof KernelUnsupportedError, 'a KernelUnsupportedError');
      t.match(error, {
        code: 'E_KERNEL_UNSUPPORTED',
        kernel: release(),
        message: `this kernel has no netem qdisc (sch_netem); degrading client needs it for delay, jitter or loss (kernel ${release()})`,
        hint: /--kernel uml/,
        cause: { stderr: /Specified qdisc kind is unknown/ },
      });
      t.equal((await rootQdisc(topo, 'client', 'eth0')).kind, 'noqueue', 'eth0 untouched');
      t.equal((await rootQdisc(topo, 'client', 'lo')).kind, 'noqueue', 'lo untouched');
    });
  },
);

void t.test('options and target are checked before anything runs', async (t) => {
  await withRun(async (run) => {
    const topo = await Topology.build(run, switchedPair(), { ready: 'none' });
    const bad: [DegradeOptions, string, RegExp][] = [
      [{}, 'degrade', /expected at least one of rateMbit, delayMs, jitterMs, lossPercent/],
      [{ rateMbit: 0 }, 'degrade.rateMbit', /from 0\.01 to 100000 Mbit\/s/],
      [{ delayMs: -1 }, 'degrade.delayMs', /from 0 to 10000 ms/],
      [{ delayMs: Number.NaN }, 'degrade.delayMs', /from 0 to 10000 ms/],
      [{ lossPercent: 101 }, 'degrade.lossPercent', /from 0 to 100 %/],
      [{ jitterMs: 5 }, 'degrade.jitterMs', /needs delayMs/],
      [{ delay: 5 } as DegradeOptions, 'degrade.delay', /known fields: rateMbit, delayMs/],
    ];
    const spawned = spawnCount();
    for (const [options, field, message] of bad) {
      await t.rejects(degrade(topo, 'client', 'eth0', options), {
        name: 'InputError',
        field,
        message,
      });
    }
    await t.rejects(degrade(topo, 'client', 'eth7', { rateMbit: 10 }), InputError);
    await t.rejects(degrade(topo, 'client', 'eth7', { rateMbit: 10 }), {
      field: 'fault.target',
      message: /expected a link end: client:eth0, sw:p1/,
    });
    t.equal(spawnCount(), spawned, 'no command ran');
  });
});
