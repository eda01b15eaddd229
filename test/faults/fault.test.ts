/**
 * Faults on real namespaces: each one changes what the kernel reports, restoring changes it back,
 * and a command the kernel refuses is an error that names it.
 */
import t from 'tap';
import { BondlabError, InputError } from '../../harness/errors.js';
import { carrierLoss } from '../../harness/faults/carrier.js';
import { FaultInjector } from '../../harness/faults/fault.js';
import { portDisabled } from '../../harness/faults/port.js';
import { linkEnd } from '../../harness/faults/targets.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { monotonicMs } from '../../harness/measure/clock.js';
import { switchedPair } from '../../harness/topology/examples.js';
import type { IpLink } from '../../harness/topology/state.js';
import { Topology } from '../../harness/topology/topology.js';
import { isolateState, leaks, snapshot } from '../fixtures/host.js';
import { pidsWhere } from '../fixtures/processes.js';

isolateState(t);

async function link(topo: Topology, node: string, ifname: string): Promise<IpLink> {
  const { stdout } = await topo.exec(node, ['ip', '-j', 'link', 'show', 'dev', ifname]);
  const [found] = JSON.parse(stdout) as IpLink[];
  if (found === undefined) throw new Error(`${node}:${ifname} is missing`);
  return found;
}

async function portState(topo: Topology, port: string): Promise<string> {
  const { stdout } = await topo.exec('sw', ['bridge', '-j', 'link', 'show', 'dev', port]);
  const [found] = JSON.parse(stdout) as { state?: string }[];
  return found?.state ?? '?';
}

/** Polls the kernel, a bounded number of times, until `check` holds (a fault is a pipe write). */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

const drivers = (id: string): number[] =>
  pidsWhere((argv) => argv.includes('-batch') && argv.some((a) => a.startsWith(`bl${id}-`)));

void t.test(
  'carrier loss: the far end goes down, this end loses carrier, and both come back',
  async (t) => {
    const before = snapshot();
    let runId = '';
    await withRun(async (run) => {
      runId = run.id;
      const topo = await Topology.build(run, switchedPair());
      t.same(linkEnd(topo, 'client', 'eth0').peer, { node: 'sw', ifname: 'p1' });
      const fault = carrierLoss(topo, 'client', 'eth0');
      const injector = await FaultInjector.start(run, topo, [fault]);
      t.equal(drivers(run.id).length, 1, 'one ip batch, started before the fault');
      const start = monotonicMs();
      const injected = injector.inject(fault);
      t.ok(injected.atMs >= start, 'the moment is recorded on the monotonic clock');
      t.ok(
        await eventually(async () =>
          (await link(topo, 'client', 'eth0')).flags.includes('NO-CARRIER'),
        ),
        'client:eth0 reports NO-CARRIER',
      );
      t.notOk((await link(topo, 'sw', 'p1')).flags.includes('UP'), 'sw:p1 is admin down');
      t.ok((await link(topo, 'client', 'eth1')).flags.includes('LOWER_UP'), 'eth1 is untouched');
      injector.restore(fault);
      t.ok(
        await eventually(async () =>
          (await link(topo, 'client', 'eth0')).flags.includes('LOWER_UP'),
        ),
        'carrier is back',
      );
      await injector.close();
      t.same(
        injector.events.map((e) => `${e.action} ${e.kind} ${e.target}`),
        ['inject carrier-loss client:eth0', 'restore carrier-loss client:eth0'],
      );
    });
    t.same(drivers(runId), [], 'no driver left');
    t.same(leaks(before), { netns: [], links: [] });
  },
);

void t.test('a disabled switch port: the bridge stops forwarding, carriers stay up', async (t) => {
  await withRun(async (run) => {
    const topo = await Topology.build(run, switchedPair());
    const fault = portDisabled(topo, 'sw', 'p3');
    const injector = await FaultInjector.start(run, topo, [fault]);
    injector.inject(fault);
    t.ok(await eventually(async () => (await portState(topo, 'p3')) === 'disabled'), 'p3 disabled');
    t.ok(
      (await link(topo, 'server', 'eth0')).flags.includes('LOWER_UP'),
      'server carrier stays up',
    );
    t.notOk(await topo.ping('client', 'server', { count: 1 }), 'no traffic gets through');
    // Left injected on purpose: close() restores it.
    await injector.close();
    t.equal(await portState(topo, 'p3'), 'forwarding', 'close() restored the port');
    t.ok(await topo.ping('client', 'server', { count: 1 }), 'traffic flows again');
  });
});

void t.test(
  'a command the kernel refuses is an error naming it and what the kernel said',
  async (t) => {
    await withRun(async (run) => {
      const topo = await Topology.build(run, switchedPair(), { ready: 'none' });
      const bogus = {
        kind: 'bogus',
        target: 'sw:nosuch',
        describe: 'a link that does not exist',
        inject: [
          { node: 'sw', tool: 'ip' as const, words: ['link', 'set', 'dev', 'nosuch', 'down'] },
        ],
        restore: [
          { node: 'sw', tool: 'ip' as const, words: ['link', 'set', 'dev', 'nosuch', 'up'] },
        ],
      };
      const injector = await FaultInjector.start(run, topo, [bogus]);
      injector.inject(bogus);
      const error = await injector.close().then(
        () => undefined,
        (e: unknown) => e,
      );
      t.ok(error instanceof BondlabError && error.code === 'E_FAULT_FAILED', 'E_FAULT_FAILED');
      t.match((error as Error).message, /`ip link set dev nosuch down`: .*nosuch/);
    });
  },
);

void t.test('fault targets are checked before anything runs', async (t) => {
  await withRun(async (run) => {
    const topo = await Topology.build(run, switchedPair(), { ready: 'none' });
    t.throws(() => carrierLoss(topo, 'client', 'eth7'), InputError);
    t.throws(() => portDisabled(topo, 'nosw', 'p1'), InputError);
    t.throws(() => portDisabled(topo, 'sw', 'p9'), InputError);
  });
});
