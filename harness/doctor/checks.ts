import { release } from 'node:os';
import { formatError } from '../errors.js';
import { Batch } from '../exec/batch.js';
import { CommandError } from '../exec/command-error.js';
import { installHint, run } from '../exec/run.js';
import { withRun } from '../lifecycle/run-context.js';
import { guestChecks } from './guests.js';
import { missingCapabilities } from './privilege.js';

export type CheckStatus = 'ok' | 'missing' | 'info';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it, when it is missing. */
  fix?: string;
  /** Whether a run needs it (a missing required check makes doctor exit 2). */
  required: boolean;
}

async function toolVersion(argv: string[], pattern: RegExp): Promise<string | undefined> {
  try {
    const r = await run(argv, { timeoutMs: 5_000, okExitCodes: [1] });
    return pattern.exec(`${r.stdout}\n${r.stderr}`)?.[1] ?? 'unknown version';
  } catch {
    return undefined;
  }
}

function tool(
  name: string,
  version: string | undefined,
  required: boolean,
  purpose: string,
): Check {
  return version === undefined
    ? {
        name,
        status: 'missing',
        detail: `not installed (${purpose})`,
        fix: installHint(name),
        required,
      }
    : { name, status: 'ok', detail: version, required };
}

/**
 * Tries each kernel feature bondlab needs in a throwaway namespace of a real run (so it is torn
 * down like any other), one command per feature so each answer is clear.
 */
async function kernelChecks(): Promise<Check[]> {
  return withRun(async (r) => {
    const ns = r.netns('doctor');
    r.deferNetns([ns]);
    const checks: Check[] = [];
    try {
      await new Batch('ip').add('netns', 'add', ns).commit({ signal: r.signal });
      checks.push({
        name: 'netns',
        status: 'ok',
        detail: 'network namespaces work',
        required: true,
      });
    } catch (error) {
      checks.push({
        name: 'netns',
        status: 'missing',
        detail: firstLine(error),
        fix: 'the kernel needs CONFIG_NET_NS; in a container, run it --privileged',
        required: true,
      });
      return checks;
    }
    const tryIn = async (
      name: string,
      argv: string[],
      okDetail: string,
      fix: string,
      required: boolean,
    ): Promise<boolean> => {
      try {
        await run(argv, { netns: ns, signal: r.signal, timeoutMs: 10_000 });
        checks.push({ name, status: 'ok', detail: okDetail, required });
        return true;
      } catch (error) {
        checks.push({ name, status: 'missing', detail: firstLine(error), fix, required });
        return false;
      }
    };
    const veth = await tryIn(
      'veth',
      ['ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'],
      'veth pairs work',
      'the kernel needs CONFIG_VETH (modprobe veth)',
      true,
    );
    await tryIn(
      'bridge',
      ['ip', 'link', 'add', 'br0', 'type', 'bridge'],
      'bridges work',
      'the kernel needs CONFIG_BRIDGE (modprobe bridge)',
      true,
    );
    await tryIn(
      'bonding',
      ['ip', 'link', 'add', 'bond0', 'type', 'bond', 'mode', 'active-backup', 'miimon', '100'],
      `the bonding driver works on this kernel (${release()})`,
      `this kernel (${release()}) has no bonding driver: try \`modprobe bonding\`; otherwise bondlab runs the real driver in a guest kernel (--kernel uml, apt-get install user-mode-linux)`,
      false,
    );
    if (veth) {
      await tryIn(
        'tc tbf',
        [
          'tc',
          'qdisc',
          'add',
          'dev',
          'v0',
          'root',
          'tbf',
          'rate',
          '100mbit',
          'burst',
          '32kb',
          'latency',
          '50ms',
        ],
        'token bucket shaping works',
        'the kernel needs CONFIG_NET_SCH_TBF (modprobe sch_tbf)',
        false,
      );
      await tryIn(
        'tc netem',
        ['tc', 'qdisc', 'add', 'dev', 'v1', 'root', 'netem', 'delay', '1ms'],
        'netem delay and loss work',
        'the kernel needs CONFIG_NET_SCH_NETEM (modprobe sch_netem); delay and loss faults are unavailable without it',
        false,
      );
    }
    return checks;
  });
}

function firstLine(error: unknown): string {
  if (error instanceof CommandError) {
    const stderr = error.stderr.trim().split('\n')[0];
    if (stderr !== undefined && stderr !== '') return stderr;
  }
  return formatError(error).split('\n')[0] ?? 'failed';
}

/** Everything `bondlab doctor` reports. */
export async function runChecks(): Promise<Check[]> {
  const checks: Check[] = [];
  const missing = missingCapabilities();
  const root = missing.length === 0;
  checks.push(
    root
      ? {
          name: 'privileges',
          status: 'ok',
          detail: 'root (CAP_NET_ADMIN, CAP_SYS_ADMIN)',
          required: true,
        }
      : {
          name: 'privileges',
          status: 'missing',
          detail: `${process.getuid?.() === 0 ? 'root, but' : `not root (uid ${process.getuid?.() ?? '?'}):`} lacks ${missing.join(' and ')}, so cannot create namespaces; run, up, failover, calibrate and clean need them`,
          fix: 'run as root (sudo), or in a container with --privileged',
          required: true,
        },
  );
  const [ip, iperf3, ping, modprobe] = await Promise.all([
    toolVersion(['ip', '-V'], /iproute2-([\w.-]+)/),
    toolVersion(['iperf3', '--version'], /iperf (\S+)/),
    toolVersion(['ping', '-V'], /(s\d+|\d[\w.]*)/),
    toolVersion(['modprobe', '--version'], /kmod version (\S+)/),
  ]);
  checks.push(tool('ip', ip, true, 'builds every topology'));
  checks.push(tool('iperf3', iperf3, true, 'measures throughput'));
  checks.push(tool('ping', ping, true, 'checks reachability'));
  checks.push(
    tool('modprobe', modprobe, false, 'loads bonding, and modules inside a guest kernel'),
  );
  if (root && ip !== undefined) checks.push(...(await kernelChecks()));
  checks.push(...guestChecks());
  return checks;
}

/** Whether a run can proceed: every required check passed, and bonding exists here or in a guest. */
export function canProceed(checks: readonly Check[]): boolean {
  const ok = (n: string): boolean => checks.some((c) => c.name === n && c.status === 'ok');
  return (
    checks.every((c) => !c.required || c.status === 'ok') && (ok('bonding') || ok('guest: uml'))
  );
}
