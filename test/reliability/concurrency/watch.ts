/**
 * Watches runs that share one state folder while they run: every record in it (which CLI owns
 * it, by pid; the namespaces it lists; the guest process groups it tracks) and every namespace
 * the kernel has. Polled, without an exec: the runs under watch are what should load the machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listNetns } from '../../../harness/lifecycle/netns.js';
import { parseNetnsName } from '../../../harness/lifecycle/names.js';
import type { RunRecord } from '../../../harness/lifecycle/records.js';

/** What one run (a CLI, by its index) was seen to hold. */
export interface Holdings {
  runIds: Set<string>;
  netns: Set<string>;
  processGroups: Set<number>;
}

const POLL_MS = 100;

export class StateWatch {
  readonly #state: string;
  /** CLI pid to run index. */
  readonly #owners = new Map<number, number>();
  readonly #held = new Map<number, Holdings>();
  /** Every namespace named like ours seen while watching (attributed by run id at the end). */
  readonly #seenNetns = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(state: string) {
    this.#state = state;
  }

  start(): void {
    this.#timer ??= setInterval(() => {
      this.tick();
    }, POLL_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.tick();
  }

  /** Records held by the process `pid` belong to run `index`. */
  own(pid: number, index: number): void {
    this.#owners.set(pid, index);
    this.tick();
  }

  /** One look at the state folder and the kernel's namespaces. */
  tick(): void {
    for (const name of listNetns())
      if (parseNetnsName(name) !== undefined) this.#seenNetns.add(name);
    const runs = join(this.#state, 'runs');
    for (const file of readdirOrEmpty(runs)) {
      if (!file.endsWith('.json')) continue;
      let record: RunRecord;
      try {
        record = JSON.parse(readFileSync(join(runs, file), 'utf8')) as RunRecord;
      } catch {
        continue; // removed meanwhile: its run ended
      }
      const owner = this.#owners.get(record.pid);
      if (owner === undefined) continue;
      const held = this.holdings(owner);
      held.runIds.add(record.id);
      for (const n of record.netns ?? []) held.netns.add(n);
      for (const g of record.processGroups) held.processGroups.add(g);
    }
  }

  /** What run `index` held: its records' ids, groups and namespaces, listed or seen. */
  holdings(index: number): Holdings {
    let held = this.#held.get(index);
    if (held === undefined) {
      held = { runIds: new Set(), netns: new Set(), processGroups: new Set() };
      this.#held.set(index, held);
    }
    for (const name of this.#seenNetns) {
      const id = parseNetnsName(name)?.runId;
      if (id !== undefined && held.runIds.has(id)) held.netns.add(name);
    }
    return held;
  }

  /** Every run id any watched run held. */
  allRunIds(): Set<string> {
    return new Set([...this.#held.values()].flatMap((h) => [...h.runIds]));
  }

  /** Every process group any watched run tracked. */
  allProcessGroups(): Set<number> {
    return new Set([...this.#held.values()].flatMap((h) => [...h.processGroups]));
  }
}

export function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
