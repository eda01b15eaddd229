import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../errors.js';
import { extractVmlinux, readBzImageHeader, vmlinuxRelease } from './bzimage.js';
import { prepareOnce, qemuCacheDir } from './cache.js';
import { readPrepared, type PrepareOptions } from './debian-kernel.js';
import { hasPvhEntry, programHeaders } from './elf.js';
import { KERNEL_RECORD, type KernelRecord, type PreparedKernel } from './prepared-kernel.js';

export interface BuiltKernelOptions extends PrepareOptions {
  /**
   * The folder `make modules_install INSTALL_MOD_PATH=DIR` filled: it holds lib/modules/<release>.
   * Default: `$BONDLAB_QEMU_MODULES`, else see {@link prepareBuiltKernel}.
   */
  modules?: string | undefined;
}

/**
 * A kernel you built, to test a bonding patch: `qemu:/path/to/bzImage` (arch/x86/boot/bzImage)
 * or `qemu:/path/to/vmlinux` (an ELF with a PVH entry, CONFIG_PVH=y).
 *
 * A bzImage's vmlinux is unpacked once into the cache (keyed by the file's path, size and mtime,
 * so a rebuild is picked up), and booted directly if it has a PVH entry.
 *
 * Its modules (bonding, veth, and virtio-pci and 9p unless built in) come from the first of:
 * - `options.modules`, or `$BONDLAB_QEMU_MODULES`: an INSTALL_MOD_PATH folder;
 * - the image's own folder, if it holds lib/modules/<release> (after
 *   `make install modules_install INSTALL_PATH=DIR INSTALL_MOD_PATH=DIR`);
 * - /lib/modules/<release> on this host (a plain `make modules_install`);
 * - none: the kernel must then have CONFIG_VIRTIO_PCI, CONFIG_NET_9P_VIRTIO, CONFIG_9P_FS and
 *   whatever the tests use (CONFIG_BONDING, CONFIG_VETH) built in.
 */
export async function prepareBuiltKernel(
  path: string,
  options: BuiltKernelOptions = {},
): Promise<PreparedKernel> {
  const { signal } = options;
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new InputError('--kernel', `qemu:${path}`, 'expected an existing bzImage or vmlinux');
  }
  const real = realpathSync(path);
  const bzImage = stat.isFile() ? readBzImageHeader(real) : undefined;
  const isElf = bzImage === undefined && stat.isFile() && programHeaders(real) !== undefined;
  if (bzImage === undefined && !isElf) {
    throw new InputError('--kernel', `qemu:${path}`, 'expected an x86 bzImage or an ELF vmlinux');
  }
  if (isElf && !hasPvhEntry(real)) {
    throw new InputError(
      '--kernel',
      `qemu:${path}`,
      'this vmlinux has no PVH entry (CONFIG_PVH=y), so QEMU cannot boot it; give the bzImage',
    );
  }
  const release = bzImage?.release ?? vmlinuxRelease(real);
  if (release === undefined || release === '') {
    throw new InputError('--kernel', `qemu:${path}`, 'found no kernel version string in it');
  }
  const key = createHash('sha256')
    .update(`${real}\0${stat.size}\0${stat.mtimeMs}`)
    .digest('hex')
    .slice(0, 16);
  const dir = join(qemuCacheDir(), `built-${release}-${key}`);
  const started = performance.now();
  const made = await prepareOnce(dir, async (temp) => {
    let image = real;
    if (bzImage !== undefined) {
      options.log?.(`qemu: unpacking the vmlinux of ${path} (once)`);
      const vmlinux = join(temp, 'vmlinux');
      if ((await extractVmlinux(real, vmlinux, temp, signal)) && hasPvhEntry(vmlinux)) {
        image = 'vmlinux';
      }
    }
    const record: KernelRecord = {
      version: 1,
      release,
      image,
      modulesRoot: undefined,
      source: real,
    };
    writeFileSync(join(temp, KERNEL_RECORD), `${JSON.stringify(record, null, 2)}\n`);
  });
  const prepared = readPrepared(dir, `qemu:${path}`, made ? performance.now() - started : 0);
  return { ...prepared, modulesRoot: findModulesRoot(resolve(path), release, options.modules) };
}

function findModulesRoot(
  image: string,
  release: string,
  given = process.env.BONDLAB_QEMU_MODULES,
): string | undefined {
  const has = (root: string): boolean => existsSync(join(root, 'lib', 'modules', release));
  if (given !== undefined && given !== '') {
    if (!has(given)) {
      throw new InputError(
        'modules',
        given,
        `expected a folder holding lib/modules/${release} (make modules_install INSTALL_MOD_PATH=DIR)`,
      );
    }
    return checkDepmod(given, release);
  }
  const root = [dirname(image), '/'].find(has);
  return root === undefined ? undefined : checkDepmod(root, release);
}

function checkDepmod(root: string, release: string): string {
  const dep = join(root, 'lib', 'modules', release, 'modules.dep');
  if (!existsSync(dep)) {
    throw new InputError('modules', root, `expected ${dep}`, {
      hint: `run \`depmod -b ${root} ${release}\` (make modules_install does it)`,
    });
  }
  return root;
}
