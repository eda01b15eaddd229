/**
 * UML boot benchmark: launch to ready (the job's command started) for the embedded User-mode
 * Linux kernel, median of several boots. The job prints the guest's uptime as it starts, a
 * cross-check from inside (UML's clock starts with the linux.uml process, so it is close to
 * ready). The target is a median ready ≤ 3 s on the 2-core build machine. Other work on the
 * machine (another guest, a test run) slows every boot: the load average is printed with the
 * numbers.
 *
 * Run: npx tsx bench/guest-boot.ts [--runs 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { umlKernel } from '../harness/kernels/uml/uml-kernel.js';
import { intArg, median } from './lib/stats.js';
import { bootWithUptime } from './lib/uptime-boot.js';

const runs = intArg('runs', 5);
const kernel = umlKernel();
const ready: number[] = [];
const total: number[] = [];
const inGuest: number[] = [];
const share = mkdtempSync(join(tmpdir(), 'bondlab-uml-bench-'));
console.log(`${kernel.label}, load average ${load()} before\n`);
try {
  for (let i = 0; i < runs; i++) {
    const { res, uptime } = await bootWithUptime(kernel, share);
    ready.push(res.readyMs);
    total.push(res.totalMs);
    inGuest.push(uptime);
    console.log(
      `boot ${i + 1}: ready ${ms(res.readyMs)} (guest uptime at the command ${ms(uptime)}), total ${ms(res.totalMs)}`,
    );
  }
} finally {
  rmSync(share, { recursive: true, force: true });
}
console.log(
  `\nmedian of ${runs}: ready ${ms(median(ready))} (min ${ms(Math.min(...ready))}, max ${ms(Math.max(...ready))}), guest uptime ${ms(median(inGuest))}, total ${ms(median(total))}; load average ${load()} after`,
);

function ms(value: number): string {
  return `${(value / 1000).toFixed(2)} s`;
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}
