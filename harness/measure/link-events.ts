/**
 * Reads `ip -d -ts -o monitor link` lines into kernel events on the monotonic clock: carrier loss
 * and return, admin down and up, a bond slave's MII status and role, and the bond's own events
 * (BONDING FAILOVER, NOTIFY PEERS, ...). The monitor prints the whole link state on every change;
 * an event is a change from the state last seen for that interface.
 */

export type LinkEventKind =
  | 'carrier-down'
  | 'carrier-up'
  | 'admin-down'
  | 'admin-up'
  | 'slave-down'
  | 'slave-up'
  | 'slave-active'
  | 'slave-backup'
  | 'port-state'
  | 'failover'
  | 'notify-peers'
  | 'bond-event'
  | 'deleted'
  | 'marker';

export interface LinkEvent {
  /** Monotonic ms. */
  atMs: number;
  ifname: string;
  kind: LinkEventKind;
  /** For bond-event: the kernel's name of it; for port-state: the bridge port state; for marker: the alias. */
  detail?: string;
}

interface LinkView {
  carrier: boolean;
  admin: boolean;
  mii?: string;
  role?: string;
  portState?: string;
}

const LINE =
  /^\[(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})\]\s+(Deleted\s+)?\d+:\s+([^:@\s]+)(?:@[^:]*)?:\s+<([^>]*)>(.*)$/;

/** The wall-clock timestamp `ip -ts` printed (TZ=UTC), in ms since the epoch. */
function wallMs(m: RegExpExecArray): number {
  const [y, mo, d, h, mi, s, us] = m.slice(1, 8).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return Date.UTC(y, mo - 1, d, h, mi, s) + us / 1000;
}

const BOND_EVENTS: Readonly<Record<string, LinkEventKind>> = {
  'BONDING FAILOVER': 'failover',
  'NOTIFY PEERS': 'notify-peers',
};

/** Turns monitor lines into events; keeps each interface's last state to see what changed. */
export class LinkEventParser {
  readonly #views = new Map<string, LinkView>();
  readonly #wallMinusMonotonicMs: number;

  /** @param wallMinusMonotonicMs the clock offset measured by the harness (clock.ts). */
  constructor(wallMinusMonotonicMs: number) {
    this.#wallMinusMonotonicMs = wallMinusMonotonicMs;
  }

  /**
   * What an interface looked like before monitoring began (from `ip -d -j link show`), so the
   * first change is seen as one: without it, an interface is taken as up, carrier up, MII up.
   */
  seed(
    ifname: string,
    flags: readonly string[],
    slave?: { state?: string; mii_status?: string },
  ): void {
    this.#views.set(ifname, {
      admin: flags.includes('UP'),
      carrier: flags.includes('LOWER_UP') && !flags.includes('NO-CARRIER'),
      ...(slave?.mii_status === undefined ? {} : { mii: slave.mii_status }),
      ...(slave?.state === undefined ? {} : { role: slave.state }),
    });
  }

  /** Events of one line; none if it is not a link line or nothing changed. */
  parse(line: string): LinkEvent[] {
    const m = LINE.exec(line);
    if (m === null) return [];
    const atMs = wallMs(m) - this.#wallMinusMonotonicMs;
    const ifname = m[9] ?? '?';
    const flags = new Set((m[10] ?? '').split(','));
    const rest = m[11] ?? '';
    const at = (kind: LinkEventKind, detail?: string): LinkEvent =>
      detail === undefined ? { atMs, ifname, kind } : { atMs, ifname, kind, detail };
    if (m[8] !== undefined) {
      this.#views.delete(ifname);
      return [at('deleted')];
    }
    const events: LinkEvent[] = [];
    const bondEvent = /\bevent ([A-Z][A-Z ]*[A-Z])\b/.exec(rest)?.[1];
    if (bondEvent !== undefined) {
      const kind = BOND_EVENTS[bondEvent];
      events.push(kind === undefined ? at('bond-event', bondEvent) : at(kind));
    }
    const alias = /\\\s+alias (bondlab-mark-\S+)/.exec(rest)?.[1];
    if (alias !== undefined) events.push(at('marker', alias));
    const now: LinkView = {
      admin: flags.has('UP'),
      carrier: flags.has('LOWER_UP') && !flags.has('NO-CARRIER'),
    };
    const slave = /\bbond_slave state (\S+) mii_status (\S+)/.exec(rest);
    if (slave !== null) {
      now.role = slave[1];
      now.mii = slave[2];
    }
    const port = /\bbridge_slave state (\S+)/.exec(rest)?.[1];
    if (port !== undefined) now.portState = port;
    // Before the first line about it, an interface is taken as it was when the topology was ready.
    const before = this.#views.get(ifname) ?? {
      admin: true,
      carrier: true,
      mii: 'UP',
      role: now.role,
    };
    const merged: LinkView = {
      admin: now.admin,
      carrier: now.carrier,
      mii: now.mii ?? before.mii,
      role: now.role ?? before.role,
      portState: now.portState ?? before.portState,
    };
    this.#views.set(ifname, merged);
    if (before.admin !== merged.admin) events.push(at(merged.admin ? 'admin-up' : 'admin-down'));
    if (before.carrier !== merged.carrier) {
      events.push(at(merged.carrier ? 'carrier-up' : 'carrier-down'));
    }
    if (now.mii !== undefined && before.mii !== now.mii) {
      if (now.mii === 'DOWN') events.push(at('slave-down'));
      if (now.mii === 'UP') events.push(at('slave-up'));
    }
    if (now.role !== undefined && before.role !== undefined && before.role !== now.role) {
      events.push(at(now.role === 'ACTIVE' ? 'slave-active' : 'slave-backup'));
    }
    if (
      now.portState !== undefined &&
      before.portState !== undefined &&
      before.portState !== now.portState
    ) {
      events.push(at('port-state', now.portState));
    }
    return events;
  }
}
