import type { BatchTool } from '../exec/batch.js';
import type { RunContext } from '../lifecycle/run-context.js';
import type { Topology } from '../topology/topology.js';
import { FaultDriver } from './driver.js';

/** One command of a fault, run in a node's namespace. */
export interface FaultStep {
  node: string;
  tool: BatchTool;
  words: readonly (string | number)[];
}

/** A failure to inject and how to take it back. */
export interface Fault {
  kind: string;
  /** What it hits, e.g. `sw:p1` or `client:eth0`. */
  target: string;
  describe: string;
  inject: readonly FaultStep[];
  restore: readonly FaultStep[];
}

/** When a fault was injected or restored, on the monotonic clock. */
export interface FaultEvent {
  kind: string;
  target: string;
  action: 'inject' | 'restore';
  atMs: number;
}

/**
 * Injects faults through drivers started beforehand (one `ip -batch -` per namespace and tool),
 * so that injecting costs a pipe write. Each injection records its moment; whatever is still
 * injected when it closes is restored, and a command the kernel refused raises there.
 */
export class FaultInjector {
  readonly events: FaultEvent[] = [];
  readonly #topology: Topology;
  readonly #drivers = new Map<string, FaultDriver>();
  readonly #active = new Set<Fault>();

  private constructor(topology: Topology) {
    this.#topology = topology;
  }

  /** Starts the drivers every one of `faults` needs. */
  static async start(
    run: RunContext,
    topology: Topology,
    faults: readonly Fault[],
  ): Promise<FaultInjector> {
    const injector = new FaultInjector(topology);
    const needed = new Map<string, { netns: string; tool: BatchTool }>();
    for (const step of faults.flatMap((f) => [...f.inject, ...f.restore])) {
      const netns = topology.netns(step.node);
      needed.set(`${netns} ${step.tool}`, { netns, tool: step.tool });
    }
    await Promise.all(
      [...needed].map(async ([key, { netns, tool }]) => {
        injector.#drivers.set(key, await FaultDriver.start(run, netns, tool));
      }),
    );
    return injector;
  }

  #apply(steps: readonly FaultStep[]): number {
    let first: number | undefined;
    for (const step of steps) {
      const key = `${this.#topology.netns(step.node)} ${step.tool}`;
      const driver = this.#drivers.get(key);
      if (driver === undefined) throw new Error(`FaultInjector: no driver for ${key}`);
      const at = driver.apply(step.words);
      first ??= at;
    }
    if (first === undefined) throw new Error('FaultInjector: a fault without steps');
    return first;
  }

  inject(fault: Fault): FaultEvent {
    const event: FaultEvent = {
      kind: fault.kind,
      target: fault.target,
      action: 'inject',
      atMs: this.#apply(fault.inject),
    };
    this.#active.add(fault);
    this.events.push(event);
    return event;
  }

  restore(fault: Fault): FaultEvent {
    const event: FaultEvent = {
      kind: fault.kind,
      target: fault.target,
      action: 'restore',
      atMs: this.#apply(fault.restore),
    };
    this.#active.delete(fault);
    this.events.push(event);
    return event;
  }

  /** Raises if the kernel refused any command so far. */
  check(): void {
    for (const driver of this.#drivers.values()) driver.check();
  }

  /** Restores what is still injected, waits for every command to run, and checks them all. */
  async close(): Promise<void> {
    for (const fault of [...this.#active].reverse()) this.restore(fault);
    await Promise.all([...this.#drivers.values()].map((d) => d.close()));
    this.check();
  }
}
