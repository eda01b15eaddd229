import { release } from 'node:os';
import { InputError, KernelUnsupportedError } from '../errors.js';
import { Batch } from '../exec/batch.js';
import { CommandError } from '../exec/command-error.js';
import { run, type RunOptions, type RunResult } from '../exec/run.js';
import { deleteNetns } from '../lifecycle/netns.js';
import type { RunContext } from '../lifecycle/run-context.js';
import { planBuild, shapingWords } from './plan.js';
import { waitForLinks, waitForPing } from './ready.js';
import {
  resolveTopology,
  type L3Interface,
  type ResolvedBond,
  type ResolvedTopology,
} from './resolve.js';
import { PORT_STATES, type PortState, type Shaping, type TopologySpec } from './spec.js';
import { readBond, readLinksOf, type BondReadback, type IpLink } from './state.js';
import { compareBondOptions, type OptionComparison } from './verify-bond.js';

export interface BuildOptions {
  /** How far to wait after building: links up and bonds active, or a ping across. Default 'ping'. */
  ready?: 'none' | 'links' | 'ping';
  readyTimeoutMs?: number;
}

/** What the kernel reports about a built topology, for results to record. */
export interface TopologyState {
  kernel: string;
  links: Record<string, IpLink[]>;
  bonds: (BondReadback & { host: string; options: OptionComparison[] })[];
}

/**
 * A topology built in the kernel, owned by one run. Created by `Topology.build`; removed when the
 * run tears down (or by `destroy`).
 */
export class Topology {
  readonly run: RunContext;
  readonly resolved: ResolvedTopology;
  /** Each bond as the kernel reported it right after the build (options checked). */
  bondsBuilt: (BondReadback & { host: string; options: OptionComparison[] })[] = [];
  #dropTeardown: () => void;

  private constructor(run: RunContext, resolved: ResolvedTopology, dropTeardown: () => void) {
    this.run = run;
    this.resolved = resolved;
    this.#dropTeardown = dropTeardown;
  }

  /**
   * Validates `spec` (raising InputError before anything is created), registers the teardown,
   * builds everything with a handful of `ip -batch` processes, checks each bond's options against
   * what the kernel applied, and waits until it is ready.
   */
  static async build(
    run: RunContext,
    spec: TopologySpec,
    options: BuildOptions = {},
  ): Promise<Topology> {
    const resolved = resolveTopology(spec);
    const netnsOf = (node: string): string => run.netns(node);
    const plan = planBuild(resolved, netnsOf);
    const drop = run.deferNetns(plan.namespaces);
    const topo = new Topology(run, resolved, drop);
    try {
      await topo.#setUp(plan, options);
    } catch (error) {
      // Gone now, not at the end of the run: the run's next topology reuses these names.
      await topo.destroy().catch(() => undefined);
      throw error;
    }
    return topo;
  }

  async #setUp(plan: ReturnType<typeof planBuild>, options: BuildOptions): Promise<void> {
    const { run, resolved } = this;
    const netnsOf = (node: string): string => run.netns(node);
    run.log(
      `topology: creating ${plan.namespaces.length} namespaces and ${resolved.links.length} links`,
    );
    // Both happen in the one process below; the second line marks "mid-setup" for the user.
    run.log('topology: configuring bridges, bonds and addresses');
    try {
      await plan.root.commit({ signal: run.signal, scratchDir: run.scratchDir() });
    } catch (error) {
      throw explainBuildError(error);
    }
    // Check every bond once before waiting: an option the kernel ignored is an error, not a hang.
    run.log('topology: built');
    this.bondsBuilt = await settleAll(resolved.bonds.map((b) => this.readBond(b)));
    const ready = options.ready ?? 'ping';
    const wait = { signal: run.signal, timeoutMs: options.readyTimeoutMs, log: run.log };
    run.log(`topology: waiting until ready (${ready})`);
    // A port state holds only once the bridge has enabled the port (it resets the state then), so
    // every port must forward first; then the states the topology asks for are applied.
    const states = resolved.switches.flatMap((s) =>
      s.ports.flatMap((p) => (p.state === undefined ? [] : [{ sw: s.name, ...p, state: p.state }])),
    );
    if (ready !== 'none' || states.length > 0) {
      const allForwarding = resolved.switches.map((s) => ({
        ...s,
        ports: s.ports.map((p) => ({ ...p, state: undefined })),
      }));
      await waitForLinks({ ...resolved, switches: allForwarding }, netnsOf, wait);
    }
    // Pings cross every port while all forward; the states asked for come after.
    run.log('topology: links up');
    if (ready === 'ping') await waitForPing(resolved, netnsOf, wait);
    run.log('topology: ready');
    await settleAll(states.map((p) => this.setPortState(p.sw, p.ifname, p.state)));
  }

  /** The namespace of a host or switch. */
  netns(node: string): string {
    if (
      !this.resolved.hosts.includes(node) &&
      !this.resolved.switches.some((s) => s.name === node)
    ) {
      throw new InputError(
        'node',
        node,
        `expected a host or switch: ${[...this.resolved.hosts, ...this.resolved.switches.map((s) => s.name)].join(', ')}`,
      );
    }
    return this.run.netns(node);
  }

  /** The addressed interface of `host` (the first one, or the one named). */
  interface(host: string, ifname?: string): L3Interface {
    const found = this.resolved.interfaces.find(
      (i) => i.host === host && (ifname === undefined || i.ifname === ifname),
    );
    if (found === undefined) {
      const all = this.resolved.interfaces.map((i) => `${i.host}:${i.ifname}`).join(', ');
      throw new InputError(
        'interface',
        ifname === undefined ? host : `${host}:${ifname}`,
        `expected an addressed interface: ${all}`,
      );
    }
    return found;
  }

  /** The IPv4 (or IPv6) address of `host`. */
  address(host: string, family: 4 | 6 = 4, ifname?: string): string {
    const i = this.interface(host, ifname);
    return family === 4 ? i.ipv4 : i.ipv6;
  }

  /** Runs a command inside a host's or switch's namespace, under the run's signal. */
  exec(
    node: string,
    argv: readonly string[],
    options: Omit<RunOptions, 'netns'> = {},
  ): Promise<RunResult> {
    return run(argv, { signal: this.run.signal, ...options, netns: this.netns(node) });
  }

  /** Sends `count` pings; resolves with whether all were answered. */
  async ping(
    from: string,
    to: string,
    options: { family?: 4 | 6; count?: number; intervalS?: number } = {},
  ): Promise<boolean> {
    const family = options.family ?? 4;
    const target = this.resolved.hosts.includes(to) ? this.address(to, family) : to;
    const count = options.count ?? 1;
    const r = await this.exec(
      from,
      [
        'ping',
        `-${family}`,
        '-n',
        '-q',
        '-c',
        String(count),
        '-i',
        String(options.intervalS ?? 0.2),
        '-W',
        '1',
        target,
      ],
      {
        okExitCodes: [1],
        timeoutMs: 5_000 + count * 1_000,
      },
    );
    return r.exitCode === 0;
  }

  /** Reads one bond back and checks its options against what was asked. */
  async readBond(
    bond: ResolvedBond,
  ): Promise<BondReadback & { host: string; options: OptionComparison[] }> {
    const back = await readBond(this.run.netns(bond.host), bond.name, { signal: this.run.signal });
    return { ...back, host: bond.host, options: compareBondOptions(bond, back.sysfs) };
  }

  /** Everything the kernel reports about this topology: links per node, and each bond. */
  async state(): Promise<TopologyState> {
    const nodes = [...this.resolved.hosts, ...this.resolved.switches.map((s) => s.name)];
    // One after the other: in User-mode Linux, processes side by side only slow each other down.
    const byNetns = await readLinksOf(
      nodes.map((n) => this.run.netns(n)),
      { signal: this.run.signal },
    );
    const bonds = [];
    for (const b of this.resolved.bonds) bonds.push(await this.readBond(b));
    const links = Object.fromEntries(nodes.map((n) => [n, byNetns.get(this.run.netns(n)) ?? []]));
    return { kernel: release(), links, bonds };
  }

  /** Sets a switch port's STP state (what a disabled switch port looks like to the bond). */
  async setPortState(switchName: string, port: string, state: PortState): Promise<void> {
    this.#port(switchName, port);
    if (!PORT_STATES.includes(state))
      throw new InputError('state', state, `expected one of ${PORT_STATES.join(', ')}`);
    // Not `ip link set ... type bridge_slave state`: that also announces a link change, on which
    // the bridge re-enables a disabled port at once.
    await this.exec(switchName, [
      'bridge',
      'link',
      'set',
      'dev',
      port,
      'state',
      String(PORT_STATES.indexOf(state)),
    ]);
  }

  /** Sets group_fwd_mask on a switch (bridge-wide) or on one of its ports. */
  async setGroupFwdMask(switchName: string, mask: number, port?: string): Promise<void> {
    const sw = this.#port(switchName, port);
    const argv =
      port === undefined
        ? ['ip', 'link', 'set', 'dev', sw.bridge, 'type', 'bridge', 'group_fwd_mask', String(mask)]
        : [
            'ip',
            'link',
            'set',
            'dev',
            port,
            'type',
            'bridge_slave',
            'group_fwd_mask',
            String(mask),
          ];
    await this.exec(switchName, argv);
  }

  /** Shapes (or with undefined, unshapes) the egress of one link end: `node:ifname`. */
  async shape(endpoint: string, shaping: Shaping | undefined): Promise<void> {
    const [node = '', ifname = ''] = endpoint.split(':');
    const exists = this.resolved.links.some((l) =>
      [l.a, l.b].some((e) => e.node === node && e.ifname === ifname),
    );
    if (!exists)
      throw new InputError(
        'endpoint',
        endpoint,
        'expected a link end of this topology, "node:interface"',
      );
    const batch = new Batch('tc', this.netns(node));
    if (shaping === undefined) batch.add('qdisc', 'del', 'dev', ifname, 'root');
    else batch.add('qdisc', 'replace', 'dev', ifname, 'root', ...shapingWords(shaping));
    await batch.commit({ signal: this.run.signal });
  }

  /** Removes the topology now rather than at the end of the run. */
  async destroy(): Promise<void> {
    await deleteNetns(
      [...this.resolved.hosts, ...this.resolved.switches.map((s) => s.name)].map((n) =>
        this.run.netns(n),
      ),
    );
    // Only once they are gone: should the deletion fail, the run's teardown tries again.
    this.#dropTeardown();
  }

  #port(switchName: string, port: string | undefined): { bridge: string } {
    const sw = this.resolved.switches.find((s) => s.name === switchName);
    if (sw === undefined)
      throw new InputError(
        'switch',
        switchName,
        `expected one of ${this.resolved.switches.map((s) => s.name).join(', ') || 'no switches'}`,
      );
    if (port !== undefined && !sw.ports.some((p) => p.ifname === port)) {
      throw new InputError(
        'port',
        port,
        `expected a port of ${switchName}: ${sw.ports.map((p) => p.ifname).join(', ')}`,
      );
    }
    return sw;
  }
}

/** Turns the kernel's and iproute2's refusals into errors that say what to do. */
function explainBuildError(error: unknown): unknown {
  if (!(error instanceof CommandError)) return error;
  if (/Unknown device type/i.test(error.stderr) && error.message.includes('type bond')) {
    return new KernelUnsupportedError(release(), 'this kernel has no bonding driver', {
      hint: 'run `bondlab doctor`; use --kernel uml to run the real driver in User-mode Linux',
      cause: error,
    });
  }
  const unknown = /bond: unknown (?:command|option) "([^"]+)"/.exec(error.stderr);
  if (unknown !== null) {
    return new KernelUnsupportedError(
      release(),
      `iproute2 here does not know the bond option ${unknown[1]}`,
      {
        hint: 'install a newer iproute2 or drop the option',
        cause: error,
      },
    );
  }
  return error;
}

/**
 * Like Promise.all, but waits for every operation to finish before raising the first error, so no
 * command is still running in a namespace when teardown starts.
 */
async function settleAll<T>(operations: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(operations);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
