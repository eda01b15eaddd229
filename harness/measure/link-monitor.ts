import { setTimeout as sleep } from 'node:timers/promises';
import { Daemon } from '../exec/daemon.js';
import { run as runCommand } from '../exec/run.js';
import type { RunContext } from '../lifecycle/run-context.js';
import { wallMinusMonotonicMs } from './clock.js';
import type { IpLink } from '../topology/state.js';
import { LinkEventParser, type LinkEvent } from './link-events.js';

const MARK_TIMEOUT_MS = 15_000;
/** Marks are unique in the process, so no two monitors of a namespace wait for the same one. */
let marks = 0;

/**
 * The kernel's own timeline of a namespace's links, from netlink: `ip -d -ts -o monitor link`,
 * its timestamps moved onto the monotonic clock. A marker (an alias set on `lo`) proves the monitor
 * listens before the measurement starts, and that every event before the stop has been read.
 */
export class LinkMonitor {
  readonly netns: string;
  readonly events: LinkEvent[] = [];
  readonly #run: RunContext;
  readonly #daemon: Daemon;
  readonly #parser = new LinkEventParser(wallMinusMonotonicMs());

  private constructor(run: RunContext, netns: string, seed: readonly IpLink[]) {
    this.#run = run;
    this.netns = netns;
    const parser = this.#parser;
    for (const link of seed) {
      const slave = link.linkinfo?.info_slave_data as
        { state?: string; mii_status?: string } | undefined;
      parser.seed(link.ifname, link.flags, slave);
    }
    this.#daemon = Daemon.start(run, ['ip', '-d', '-ts', '-o', 'monitor', 'link'], {
      netns,
      env: { TZ: 'UTC' },
      graceMs: 500,
    });
    this.#daemon.onLine = (line) => {
      this.events.push(...parser.parse(line));
    };
  }

  /**
   * Starts monitoring `netns`; resolves once the monitor provably hears events. `seed` is the
   * links' state just before (`ip -d -j link show`), so their first change counts as one.
   */
  static async start(
    run: RunContext,
    netns: string,
    seed: readonly IpLink[] = [],
  ): Promise<LinkMonitor> {
    const monitor = new LinkMonitor(run, netns, seed);
    await monitor.mark();
    return monitor;
  }

  /**
   * Makes an event of our own and waits until the monitor reports it. A monitor that has not
   * subscribed yet misses the first marks, so while none is heard a new one is set, each a little
   * later than the last; hearing any of them proves the monitor listens.
   */
  async mark(): Promise<void> {
    const aliases: string[] = [];
    // Ends the wait below (and its timer) however this returns.
    const done = new AbortController();
    const heard = this.#daemon
      .waitForLine(
        (line) => aliases.some((a) => line.includes(`alias ${a}`)),
        'a monitor marker',
        MARK_TIMEOUT_MS,
        AbortSignal.any([this.#run.signal, done.signal]),
      )
      .then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      );
    try {
      for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
        const alias = `bondlab-mark-${this.#run.id}-${String(++marks)}`;
        aliases.push(alias);
        await runCommand(['ip', 'link', 'set', 'dev', 'lo', 'alias', alias], {
          netns: this.netns,
          signal: this.#run.signal,
        });
        const outcome = await Promise.race([
          heard,
          sleep(wait, 'unheard' as const, { signal: done.signal }),
        ]);
        if (outcome === undefined) return;
        if (outcome !== 'unheard') throw outcome;
        this.#run.log(`monitor: ${alias} unheard after ${String(wait)} ms; marking again`);
      }
    } finally {
      done.abort();
    }
  }

  /** Reads every event up to now, stops the monitor, and returns the timeline (markers dropped). */
  async stop(): Promise<LinkEvent[]> {
    await this.mark();
    await this.#daemon.stop();
    return this.events.filter((e) => e.kind !== 'marker');
  }

  /** Stops without the final marker (an aborted measurement). */
  async abort(): Promise<void> {
    await this.#daemon.stop();
  }
}
