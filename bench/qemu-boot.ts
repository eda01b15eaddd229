/**
 * QEMU boot benchmark: launch to ready (the job's command started) for a Debian kernel, median of
 * several boots, after one untimed prepare (download and unpacking on the first run only). The
 * job prints the guest's uptime, which splits ready into "before the kernel" (QEMU start, image
 * loading, firmware) and "inside the guest" (kernel boot, init, node). The target is ready ≤ 10 s
 * under emulation on the 2-core build machine.
 *
 * Run: npx tsx bench/qemu-boot.ts [--runs 5] [--kernel 6.1.0-56-amd64]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuKernel } from '../harness/kernels/qemu/qemu-kernel.js';
import { withRun } from '../harness/lifecycle/run-context.js';
import { intArg, median } from './lib/stats.js';

function stringArg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const runs = intArg('runs', 5);
const version = stringArg('kernel');
const kernel = qemuKernel({ version });
const started = performance.now();
const { install, kernel: prepared, initramfs } = await kernel.prepare({ log: console.log });
console.log(
  `kernel ${prepared.label} (${prepared.release}), ${install.kvm ? 'KVM' : 'TCG (no /dev/kvm)'}`,
);
console.log(
  prepared.prepareMs > 0
    ? `prepared in ${(prepared.prepareMs / 1000).toFixed(1)} s (download, dpkg -x, depmod, vmlinux)`
    : `already prepared; checks and initramfs took ${Math.round(performance.now() - started)} ms`,
);
console.log(`image ${prepared.image}\ninitramfs ${initramfs}\n`);

const ready: number[] = [];
const total: number[] = [];
const inGuest: number[] = [];
const share = mkdtempSync(join(tmpdir(), 'bondlab-qemu-bench-'));
try {
  for (let i = 0; i < runs; i++) {
    let uptime = Number.NaN;
    const res = await withRun((ctx) =>
      kernel.run(
        ctx,
        { argv: ['/bin/cat', '/proc/uptime'], cwd: '/', shareDir: share },
        {
          onOutput: (line) => {
            uptime = Number(line.split(' ')[0]) * 1000;
          },
        },
      ),
    );
    ready.push(res.readyMs);
    total.push(res.totalMs);
    inGuest.push(uptime);
    console.log(
      `boot ${i + 1}: ready ${ms(res.readyMs)} (kernel start ${ms(res.readyMs - uptime)}, in guest ${ms(uptime)}), total ${ms(res.totalMs)}`,
    );
  }
} finally {
  rmSync(share, { recursive: true, force: true });
}
console.log(
  `\nmedian of ${runs}: ready ${ms(median(ready))} (min ${ms(Math.min(...ready))}, max ${ms(Math.max(...ready))}), in guest ${ms(median(inGuest))}, total ${ms(median(total))}`,
);

function ms(value: number): string {
  return `${(value / 1000).toFixed(2)} s`;
}
