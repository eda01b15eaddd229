import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { median } from 'simple-statistics';
import { monotonicMs, toMicros } from './clock.js';

/** How finely this kernel can time things: every result carries it. */
export interface TimerResolution {
  /** hrtimer resolution the kernel claims (/proc/timer_list), ns. */
  claimedNs: number | undefined;
  /** CONFIG_HZ, where the kernel's config can be read. */
  hz: number | undefined;
  /** What a 1 ms sleep really takes here, median of `samples`, ms: the effective tick. */
  sleep1msMs: number;
  samples: number;
}

function claimedNs(): number | undefined {
  try {
    const m = /\.resolution:\s+(\d+)\s+nsecs/.exec(readFileSync('/proc/timer_list', 'utf8'));
    return m?.[1] === undefined ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

function configHz(): number | undefined {
  let config: string | undefined;
  try {
    if (existsSync('/proc/config.gz')) {
      config = gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
    } else if (existsSync(`/boot/config-${release()}`)) {
      config = readFileSync(`/boot/config-${release()}`, 'utf8');
    }
  } catch {
    return undefined;
  }
  const m = config === undefined ? null : /^CONFIG_HZ=(\d+)$/m.exec(config);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/**
 * Reads the kernel's claimed timer resolution and HZ, and measures what a 1 ms sleep takes (inside
 * User-mode Linux, HZ=100: about 10 ms, whatever hrtimers claim).
 */
let measured: Promise<TimerResolution> | undefined;

/** measureTimerResolution, once per process: the kernel does not change under it. */
export function timerResolution(): Promise<TimerResolution> {
  measured ??= measureTimerResolution();
  return measured;
}

export async function measureTimerResolution(samples = 20): Promise<TimerResolution> {
  const took: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = monotonicMs();
    await sleep(1);
    took.push(monotonicMs() - start);
  }
  return { claimedNs: claimedNs(), hz: configHz(), sleep1msMs: toMicros(median(took)), samples };
}
