/**
 * QEMU boot benchmark: launch to ready (the job's command started) for a Debian kernel, median of
 * several boots, after one untimed prepare (download and unpacking on the first run only). The
 * guest's init traces its steps (BONDLAB_TRACE=1) and the job prints the guest's uptime, which
 * splits ready into phases: QEMU until the kernel starts (process start, image loading,
 * firmware), kernel boot, loading the virtio/9p modules, the 9p and tmpfs mounts, switching root,
 * and node starting the guest entry. The target is ready ≤ 10 s under emulation on the 2-core
 * build machine; the load average is printed with the numbers, as other work on the machine
 * slows an emulated guest down.
 *
 * Run: npx tsx bench/qemu-boot.ts [--runs 5] [--kernel 6.1.0-56-amd64]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuKernel } from '../harness/kernels/qemu/qemu-kernel.js';
import { intArg, median } from './lib/stats.js';
import { bootWithUptime } from './lib/uptime-boot.js';

function stringArg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const runs = intArg('runs', 5);
const version = stringArg('kernel');
const kernel = qemuKernel({ version }, { append: ['BONDLAB_TRACE=1'] });
const started = performance.now();
const { install, kernel: prepared, initramfs } = await kernel.prepare({ log: console.log });
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} CPUs`,
);
console.log(
  `kernel ${prepared.label} (${prepared.release}), ${install.kvm ? 'KVM' : 'TCG (no /dev/kvm)'}`,
);
console.log(
  prepared.prepareMs > 0
    ? `prepared in ${(prepared.prepareMs / 1000).toFixed(1)} s (download, dpkg -x, depmod, vmlinux)`
    : `already prepared; checks and initramfs took ${Math.round(performance.now() - started)} ms`,
);
console.log(`image ${prepared.image}\ninitramfs ${initramfs}\n`);

const PHASES = ['qemu', 'kernel', 'modules', 'mounts', 'switch_root', 'node'] as const;
const samples: Record<(typeof PHASES)[number] | 'ready' | 'total', number[]> = {
  qemu: [],
  kernel: [],
  modules: [],
  mounts: [],
  switch_root: [],
  node: [],
  ready: [],
  total: [],
};
const share = mkdtempSync(join(tmpdir(), 'bondlab-qemu-bench-'));
try {
  for (let i = 0; i < runs; i++) {
    const { res, uptime } = await bootWithUptime(kernel, share);
    // "bondlab-init: <uptime> <step>": when each step started, in guest seconds.
    const at = new Map(
      res.consoleTail
        .map((l) => /^bondlab-init: ([\d.]+) (\w+)$/.exec(l))
        .filter((m) => m !== null)
        .map((m) => [m[2], Number(m[1]) * 1000]),
    );
    const step = (name: string): number => at.get(name) ?? Number.NaN;
    const phases = {
      qemu: res.readyMs - uptime,
      kernel: step('modules'),
      modules: step('mounts') - step('modules'),
      mounts: step('switch_root') - step('mounts'),
      switch_root: step('node') - step('switch_root'),
      node: uptime - step('node'),
    };
    for (const name of PHASES) samples[name].push(phases[name]);
    samples.ready.push(res.readyMs);
    samples.total.push(res.totalMs);
    console.log(
      `boot ${i + 1}: ready ${ms(res.readyMs)} = ${PHASES.map((p) => `${p} ${ms(phases[p])}`).join(' + ')}; total ${ms(res.totalMs)}`,
    );
  }
} finally {
  rmSync(share, { recursive: true, force: true });
}
const { ready } = samples;
console.log(
  `\nmedian of ${runs}: ready ${ms(median(ready))} (min ${ms(Math.min(...ready))}, max ${ms(Math.max(...ready))}), total ${ms(median(samples.total))}`,
);
console.log(
  `  phases (medians): ${PHASES.map((p) => `${p} ${ms(median(samples[p]))}`).join(', ')}`,
);
console.log(
  `  load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} CPUs`,
);

function ms(value: number): string {
  return `${(value / 1000).toFixed(2)} s`;
}
