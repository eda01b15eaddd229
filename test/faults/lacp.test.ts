/**
 * LACPDUs lost on one switch port, for real. Without bonds (any kernel): the port's
 * group_fwd_mask loses the LACP bit, nothing else on either switch changes, data still crosses.
 * With lacpPair's two 802.3ad bonds (needs bonding; faults-in-guest.test.ts runs this file inside
 * User-mode Linux here): the aggregator forms across the bridges; with lacp_rate fast the port
 * that stops hearing its partner leaves the aggregation within seconds, with slow it does not.
 */
import t, { type Test } from 'tap';
import { InputError } from '../../harness/errors.js';
import { FaultInjector } from '../../harness/faults/fault.js';
import { lacpduLoss } from '../../harness/faults/lacp.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { monotonicMs } from '../../harness/measure/clock.js';
import { bondedPair, lacpPair } from '../../harness/topology/examples.js';
import { resolveTopology } from '../../harness/topology/resolve.js';
import { Topology } from '../../harness/topology/topology.js';
import { bondingSkipReason, isolateState, leaks, snapshot } from '../fixtures/host.js';
import { BondReader, bridgePorts, eventually, link, type ProcBond } from './observe.js';

isolateState(t);
const noBonding = await bondingSkipReason();

/** LACP port state bits: collecting and distributing, i.e. carrying traffic in the aggregation. */
const IN_SERVICE = 0x10 | 0x20;
/** Long enough for lacp_rate fast to expire a port (3 s) and detach it (3 s more); slow takes 90 s. */
const WINDOW_MS = 10_000;

/** A port's bridge_slave attributes but its group_fwd_mask. */
function withoutMask(data: Record<string, unknown> | undefined): Record<string, unknown> {
  const { group_fwd_mask: _mask, group_fwd_mask_str: _str, ...rest } = data ?? {};
  return rest;
}

async function groupFwdMask(topo: Topology, sw: string, port: string): Promise<unknown> {
  return (await link(topo, sw, port)).linkinfo?.info_slave_data?.group_fwd_mask;
}

void t.test('the target must be a switch port that forwards LACPDUs', async (t) => {
  const declared = { resolved: resolveTopology(lacpPair()) };
  t.same(lacpduLoss(declared, 'swb', 'p2'), {
    kind: 'lacpdu-loss',
    target: 'swb:p2',
    describe: 'LACPDUs entering swb:p2 dropped, data still forwarded',
    inject: [
      {
        node: 'swb',
        tool: 'ip',
        words: ['link', 'set', 'dev', 'p2', 'type', 'bridge_slave', 'group_fwd_mask', 0],
      },
    ],
    restore: [
      {
        node: 'swb',
        tool: 'ip',
        words: ['link', 'set', 'dev', 'p2', 'type', 'bridge_slave', 'group_fwd_mask', 4],
      },
    ],
  });
  t.throws(() => lacpduLoss(declared, 'nosw', 'p1'), InputError);
  t.throws(() => lacpduLoss(declared, 'swa', 'p3'), {
    name: 'InputError',
    field: 'fault.port',
    message: /expected a port of swa: p1, p2$/,
  });
  const plain = { resolved: resolveTopology(bondedPair()) };
  t.throws(() => lacpduLoss(plain, 'sw', 'p1'), {
    name: 'InputError',
    field: 'fault.port',
    message:
      /LACPDUs do not cross sw:p1 to begin with \(group_fwd_mask 0x0\); give the port groupFwdMask 4/,
  });
});

void t.test('the mask loses the LACP bit, nothing else changes, data still crosses', async (t) => {
  const before = snapshot();
  await withRun(async (run) => {
    const spec = lacpPair();
    delete spec.bonds;
    const topo = await Topology.build(run, spec);
    const ports = async (): Promise<unknown[]> => [
      await bridgePorts(topo, 'swa'),
      await bridgePorts(topo, 'swb'),
      (await link(topo, 'swa', 'p2')).linkinfo,
      withoutMask((await link(topo, 'swa', 'p1')).linkinfo?.info_slave_data),
    ];
    const untouched = await ports();
    t.equal(await groupFwdMask(topo, 'swa', 'p1'), '0x4', 'swa:p1 forwards LACPDUs');
    const fault = lacpduLoss(topo, 'swa', 'p1');
    const injector = await FaultInjector.start(run, topo, [fault]);
    injector.inject(fault);
    t.ok(
      await eventually(async () => (await groupFwdMask(topo, 'swa', 'p1')) === '0'),
      'swa:p1 no longer forwards LACPDUs',
    );
    t.same(await ports(), untouched, 'every port of both switches is otherwise as it was');
    t.ok(await topo.ping('client', topo.address('server', 4, 'eth0')), 'data crosses swa:p1');
    injector.restore(fault);
    t.ok(
      await eventually(async () => (await groupFwdMask(topo, 'swa', 'p1')) === '0x4'),
      'restore put the LACP bit back',
    );
    t.same(await ports(), untouched);
    await injector.close();
  });
  t.same(leaks(before), { netns: [], links: [] });
});

/** Both bonds aggregate both links with each other: partner MACs, two ports each, all in service. */
function aggregated(client: ProcBond, server: ProcBond): boolean {
  const whole = (b: ProcBond, partner: ProcBond): boolean =>
    b.aggregator?.ports === 2 &&
    b.aggregator.partnerMac === partner.systemMac &&
    b.slaves.every(
      (s) =>
        s.aggregator === b.aggregator?.id &&
        s.partnerMac === partner.systemMac &&
        ((s.actorState ?? 0) & IN_SERVICE) === IN_SERVICE,
    );
  return whole(client, server) && whole(server, client);
}

interface Watched {
  /** When server:eth0 stopped collecting and distributing, ms after the fault. */
  outOfServiceMs?: number;
  /** When it left the active aggregator. */
  detachedMs?: number;
}

/**
 * Builds lacpPair with `rate`, waits until both links aggregate, stops the LACPDUs entering swa:p1
 * (client:eth0 to server:eth0), and watches server:eth0 every 10 ms, for WINDOW_MS or until it has
 * left the aggregator; then restores and waits until the aggregation is whole again.
 */
async function lacpduLossWith(t: Test, rate: 'fast' | 'slow'): Promise<Watched> {
  const watched: Watched = {};
  await withRun(async (run) => {
    const topo = await Topology.build(
      run,
      lacpPair({ mode: '802.3ad', miimon: 100, lacp_rate: rate }),
    );
    const client = await BondReader.start(topo, 'client');
    const server = await BondReader.start(topo, 'server');
    // LACP may fall back to slow periodic (30 s) if its first LACPDUs were lost while the bridges came up.
    t.ok(
      await eventually(() => aggregated(client.read(), server.read()), 45_000, 50),
      `lacp_rate ${rate}: both bonds aggregate both links, each with the other's MAC as partner`,
      { client: client.text(), server: server.text() },
    );
    const fault = lacpduLoss(topo, 'swa', 'p1');
    const injector = await FaultInjector.start(run, topo, [fault]);
    const at = injector.inject(fault).atMs;
    await eventually(
      () => {
        const s = server.read();
        const eth0 = s.slaves.find((x) => x.ifname === 'eth0');
        const now = monotonicMs() - at;
        if (((eth0?.actorState ?? 0) & IN_SERVICE) !== IN_SERVICE) watched.outOfServiceMs ??= now;
        if (eth0?.aggregator !== s.aggregator?.id) watched.detachedMs ??= now;
        return watched.detachedMs !== undefined;
      },
      WINDOW_MS,
      10,
    );
    const during = server.text();
    injector.restore(fault);
    const restoredAt = monotonicMs();
    t.ok(
      await eventually(() => aggregated(client.read(), server.read()), 45_000, 50),
      'after restore both links aggregate again',
      { during, client: client.text(), server: server.text() },
    );
    t.comment(
      `lacp_rate ${rate}: out of service ${fmt(watched.outOfServiceMs)}, left the aggregator ${fmt(watched.detachedMs)} after the LACPDUs stopped; whole again ${fmt(monotonicMs() - restoredAt)} after restore`,
    );
    await injector.close();
    await client.stop();
    await server.stop();
  });
  return watched;
}

function fmt(ms: number | undefined): string {
  return ms === undefined ? `never (in ${WINDOW_MS / 1000} s)` : `${(ms / 1000).toFixed(2)} s`;
}

void t.test(
  'lacp_rate fast: the port without LACPDUs leaves the aggregation',
  { skip: noBonding },
  async (t) => {
    const w = await lacpduLossWith(t, 'fast');
    t.ok(w.outOfServiceMs !== undefined, 'server:eth0 stopped collecting and distributing');
    t.ok(w.detachedMs !== undefined, 'and left the aggregator', w);
    t.ok((w.outOfServiceMs ?? Infinity) <= (w.detachedMs ?? 0), 'in that order');
  },
);

void t.test(
  'lacp_rate slow: the same loss goes unnoticed for as long',
  { skip: noBonding },
  async (t) => {
    const w = await lacpduLossWith(t, 'slow');
    t.same(w, {}, `server:eth0 stayed in the aggregation for ${WINDOW_MS / 1000} s`);
  },
);
