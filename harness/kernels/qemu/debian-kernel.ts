import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { EnvironmentError, InputError } from '../../errors.js';
import { run } from '../../exec/run.js';
import { prepareOnce, qemuCacheDir } from './cache.js';
import { extractVmlinux } from './bzimage.js';
import { hasPvhEntry } from './elf.js';
import { KERNEL_RECORD, type KernelRecord, type PreparedKernel } from './prepared-kernel.js';

export interface PrepareOptions {
  signal?: AbortSignal | undefined;
  /** Progress: downloads and first-time preparation take seconds. */
  log?: ((line: string) => void) | undefined;
}

/** A Debian kernel package name's version part: 6.1.0-56-amd64, 6.12.117+deb12-cloud-amd64. */
const PACKAGE = /^linux-image-(\d+\.\d+[\w.+~-]*-amd64)$/;

/** Metapackages (linux-image-6.12-amd64) hold no kernel: they depend on the newest one. */
const META = /^\d+\.\d+-[a-z-]*amd64$/;

/** The generic flavour, not -cloud-amd64 (fewer drivers) nor -rt-amd64 (PREEMPT_RT). */
export function isGenericFlavour(version: string): boolean {
  return !/-(cloud|rt)-amd64$/.test(version);
}

/** The Debian kernels apt can fetch here (`linux-image-VERSION`), oldest first. */
export async function availableDebianKernels(signal?: AbortSignal): Promise<string[]> {
  const { stdout } = await run(
    ['apt-cache', 'search', '--names-only', '^linux-image-[0-9].*-amd64$'],
    { signal },
  );
  const versions = stdout
    .split('\n')
    .map((line) => PACKAGE.exec(line.split(' ')[0] ?? '')?.[1])
    .filter((v): v is string => v !== undefined && !META.test(v));
  return [...new Set(versions)].sort(compareVersions);
}

/** Orders kernel versions by their numbers (6.1.0-9 before 6.1.0-10), then as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a
    .split(/[^0-9]+/)
    .filter(Boolean)
    .map(Number);
  const pb = b
    .split(/[^0-9]+/)
    .filter(Boolean)
    .map(Number);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return pa.length - pb.length || a.localeCompare(b);
}

/** The Debian kernel versions already prepared in the cache, oldest first. */
export function cachedDebianKernels(): string[] {
  let names: string[];
  try {
    names = readdirSync(qemuCacheDir());
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith('debian-') && !name.includes('.tmp-'))
    .map((name) => name.slice('debian-'.length))
    .filter((v) => PACKAGE.test(`linux-image-${v}`))
    .sort(compareVersions);
}

/**
 * The newest Debian kernel that `accept`s (default: of the generic flavour): among those already
 * prepared if any do (no download), else among those apt has. Undefined if none.
 */
export async function newestDebianKernel(
  accept: (version: string) => boolean = isGenericFlavour,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const cached = cachedDebianKernels().filter(accept);
  if (cached.length > 0) return cached.at(-1);
  return (await availableDebianKernels(signal)).filter(accept).at(-1);
}

/** The cache folder of a Debian kernel version. */
export function debianKernelDir(version: string): string {
  return join(qemuCacheDir(), `debian-${version}`);
}

/**
 * A Debian kernel (`qemu:6.1.0-56-amd64`), fetched and prepared once into the cache: the package
 * from apt (`apt-get download`, `dpkg -x`), its modules.dep (`depmod -b`, the package ships none)
 * and the ELF vmlinux unpacked from its bzImage (QEMU boots it 2.7x faster). An unknown version
 * raises an InputError listing the ones apt has.
 */
export async function prepareDebianKernel(
  version: string,
  options: PrepareOptions = {},
): Promise<PreparedKernel> {
  const { signal, log = () => undefined } = options;
  const dir = debianKernelDir(version);
  const started = performance.now();
  const made = await prepareOnce(dir, async (temp) => {
    const available = await availableDebianKernels(signal);
    if (available.length === 0) {
      throw new EnvironmentError('apt knows no Debian kernel packages (linux-image-*-amd64)', {
        hint: 'run `apt-get update` (qemu:VERSION needs Debian package lists)',
      });
    }
    if (!available.includes(version)) {
      throw new InputError(
        '--kernel',
        `qemu:${version}`,
        `Debian kernels apt has here: ${available.map((v) => `qemu:${v}`).join(', ')}`,
        { hint: '`apt-get update` refreshes the list; qemu:/path/to/bzImage boots your own build' },
      );
    }
    log(`qemu: downloading linux-image-${version} (once; cached in ${dir})`);
    // apt-get download writes into its working folder; env -C sets it without a shell.
    await run(
      [
        'env',
        '-C',
        temp,
        'apt-get',
        '-q',
        '-o',
        'APT::Sandbox::User=root',
        'download',
        `linux-image-${version}`,
      ],
      { signal, timeoutMs: 600_000 },
    );
    const deb = readdirSync(temp).find((name) => name.endsWith('.deb'));
    if (deb === undefined) throw new Error(`apt-get download left no .deb in ${temp}`);
    log(`qemu: unpacking ${deb}`);
    await run(['dpkg', '-x', join(temp, deb), temp], { signal, timeoutMs: 300_000 });
    rmSync(join(temp, deb));
    // Packages of merged-/usr releases put modules in usr/lib/modules; modprobe -d looks in lib/.
    if (!existsSync(join(temp, 'lib')) && existsSync(join(temp, 'usr', 'lib', 'modules'))) {
      symlinkSync(join('usr', 'lib'), join(temp, 'lib'));
    }
    await run(['depmod', '-b', temp, version], { signal, timeoutMs: 300_000 });
    const vmlinuz = join(temp, 'boot', `vmlinuz-${version}`);
    const vmlinux = join(temp, 'boot', `vmlinux-${version}`);
    const fast = (await extractVmlinux(vmlinuz, vmlinux, temp, signal)) && hasPvhEntry(vmlinux);
    if (!fast) rmSync(vmlinux, { force: true });
    const record: KernelRecord = {
      version: 1,
      release: version,
      image: join('boot', `${fast ? 'vmlinux' : 'vmlinuz'}-${version}`),
      modulesRoot: '.',
      source: `Debian package linux-image-${version}`,
    };
    writeFileSync(join(temp, KERNEL_RECORD), `${JSON.stringify(record, null, 2)}\n`);
  });
  return readPrepared(dir, `qemu:${version}`, made ? performance.now() - started : 0);
}

/** Reads a prepared cache folder's kernel.json. */
export function readPrepared(dir: string, label: string, prepareMs: number): PreparedKernel {
  const record = JSON.parse(readFileSync(join(dir, KERNEL_RECORD), 'utf8')) as KernelRecord;
  const at = (p: string): string => (isAbsolute(p) ? p : join(dir, p));
  return {
    label,
    release: record.release,
    image: at(record.image),
    modulesRoot: record.modulesRoot === undefined ? undefined : at(record.modulesRoot),
    cacheDir: dir,
    prepareMs,
  };
}
