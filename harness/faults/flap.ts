import { setTimeout as sleep } from 'node:timers/promises';
import { monotonicMs } from '../measure/clock.js';
import type { Topology } from '../topology/topology.js';
import { expectInteger } from '../topology/validate.js';
import { carrierLoss } from './carrier.js';
import type { Fault, FaultEvent, FaultInjector } from './fault.js';

/** How often and how fast a fault comes and goes. */
export interface FlapOptions {
  /** Injections, 1 to 100. */
  count: number;
  /** One injection plus one restore, 10 to 60000 ms: down for the first half, up for the second. */
  periodMs: number;
}

/** A fault injected and restored `count` times, one period each: a timed sequence, not a Fault. */
export interface FlapPlan {
  fault: Fault;
  count: number;
  periodMs: number;
}

export const FLAP_COUNT = { min: 1, max: 100 } as const;
export const FLAP_PERIOD_MS = { min: 10, max: 60_000 } as const;

/** Any fault as a flap; the count and period are checked here, where they enter. */
export function flapPlan(fault: Fault, options: FlapOptions): FlapPlan {
  return {
    fault,
    count: expectInteger('flap.count', options.count, FLAP_COUNT.min, FLAP_COUNT.max),
    periodMs: expectInteger(
      'flap.periodMs',
      options.periodMs,
      FLAP_PERIOD_MS.min,
      FLAP_PERIOD_MS.max,
      'ms',
    ),
  };
}

/**
 * A flapping link: the carrier of `node:ifname` lost and regained `count` times (a loose cable, a
 * port bouncing). Start a FaultInjector with `plan.fault`, then `runFlap`.
 */
export function flap(
  topology: Topology,
  node: string,
  ifname: string,
  options: FlapOptions,
): FlapPlan {
  const plan = flapPlan(carrierLoss(topology, node, ifname), options);
  return {
    ...plan,
    fault: {
      ...plan.fault,
      describe: `${plan.fault.describe}, ${plan.count} times every ${plan.periodMs} ms`,
    },
  };
}

/**
 * Runs a flap: the first injection at once, injection i at first + i * period, each restore half a
 * period after its injection, on the monotonic clock (a late timer does not push the rest back,
 * and none fires early). Resolves after the last restore with this flap's events (also in
 * `injector.events`). On abort, a fault still injected is restored before the abort's reason is
 * raised.
 */
export async function runFlap(
  injector: FaultInjector,
  plan: FlapPlan,
  signal?: AbortSignal,
): Promise<FaultEvent[]> {
  const events: FaultEvent[] = [];
  const until = async (atMs: number): Promise<void> => {
    try {
      // A timer may fire a little before its time (the event loop's clock is cached): sleep on.
      for (let left = atMs - monotonicMs(); left > 0; left = atMs - monotonicMs())
        await sleep(Math.ceil(left), undefined, { signal });
    } catch (error) {
      throw signal?.reason ?? error;
    }
  };
  signal?.throwIfAborted();
  let first: number | undefined;
  for (let i = 0; i < plan.count; i++) {
    if (first !== undefined) await until(first + i * plan.periodMs);
    const injected = injector.inject(plan.fault);
    events.push(injected);
    first ??= injected.atMs;
    try {
      await until(injected.atMs + plan.periodMs / 2);
    } finally {
      events.push(injector.restore(plan.fault));
    }
  }
  return events;
}
