import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { InputError } from '../../errors.js';
import { CommandError } from '../../exec/command-error.js';
import { run } from '../../exec/run.js';
import { withTempDir, writeFileAtomic } from './cache.js';
import { cpioArchive, type CpioEntry } from './cpio.js';

/** What the guest's init loads before it can mount the host's root: virtio over PCI, and 9p. */
export const BOOT_MODULES = ['virtio_pci', '9pnet_virtio', '9p'] as const;

/** Bump when the archive's layout changes, so cached initramfs files are made anew. */
const LAYOUT = 2;

export interface InitramfsInput {
  /** A statically linked busybox: the initramfs's only program. */
  busybox: string;
  /** The init script (init.sh), run as /init. */
  init: string;
  /** Folder holding lib/modules/<release>; undefined for a kernel with everything built in. */
  modulesRoot: string | undefined;
  release: string;
}

/**
 * The files of BOOT_MODULES and what they depend on, in load order, as `modprobe` resolves them
 * from the kernel's modules.dep; modules built into the kernel are left out.
 */
export async function bootModuleFiles(
  modulesRoot: string,
  release: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const argv = ['modprobe', '-d', modulesRoot, '-S', release, '-a', '--show-depends'];
  let stdout: string;
  try {
    ({ stdout } = await run([...argv, ...BOOT_MODULES], { signal }));
  } catch (error) {
    if (!(error instanceof CommandError) || error.code !== 'E_COMMAND_FAILED') throw error;
    throw new InputError(
      'kernel modules',
      join(modulesRoot, 'lib', 'modules', release),
      `expected the modules ${BOOT_MODULES.join(', ')} (or a kernel with CONFIG_VIRTIO_PCI, CONFIG_NET_9P_VIRTIO and CONFIG_9P_FS built in); modprobe said: ${error.stderr.trim()}`,
      { cause: error },
    );
  }
  const files: string[] = [];
  for (const line of stdout.split('\n')) {
    const file = /^insmod (\S+)/.exec(line)?.[1];
    if (file !== undefined && !files.includes(file)) files.push(file);
  }
  return files;
}

/**
 * The initramfs for one kernel in `dir` (made once, named by a hash of everything in it): busybox,
 * init.sh as /init, and the boot modules, uncompressed, with their load order in
 * /etc/bondlab-modules. Making a new one removes those made for an older init.sh. Returns its
 * path.
 */
export async function ensureInitramfs(
  dir: string,
  input: InitramfsInput,
  signal?: AbortSignal,
): Promise<string> {
  const modules =
    input.modulesRoot === undefined
      ? []
      : await bootModuleFiles(input.modulesRoot, input.release, signal);
  const init = readFileSync(input.init);
  const hash = createHash('sha256').update(`${LAYOUT}\0`).update(init);
  for (const file of [input.busybox, ...modules]) {
    const stat = statSync(file);
    hash.update(`\0${file}\0${stat.size}\0${stat.mtimeMs}`);
  }
  const path = join(dir, `initramfs-${hash.digest('hex').slice(0, 16)}.cpio`);
  if (existsSync(path)) return path;

  const entries: CpioEntry[] = [
    ...['bin', 'dev', 'etc', 'lib', 'lib/modules', 'newroot', 'proc', 'sys'].map(
      (p): CpioEntry => ({ kind: 'dir', path: p }),
    ),
    // The kernel opens /dev/console for init's standard streams before /dev is mounted.
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: readFileSync(input.busybox), mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'file', path: 'init', data: init, mode: 0o755 },
  ];
  const names: string[] = [];
  await withTempDir(path, async (work) => {
    for (const file of modules) {
      const name = basename(file).replace(/\.(xz|zst|gz)$/, '');
      names.push(name);
      entries.push({
        kind: 'file',
        path: `lib/modules/${name}`,
        data: await readModule(file, work),
      });
    }
  });
  entries.push({
    kind: 'file',
    path: 'etc/bondlab-modules',
    data: Buffer.from(names.map((n) => `${n}\n`).join('')),
  });
  writeFileAtomic(path, cpioArchive(entries));
  pruneOlder(dir, path);
  return path;
}

/** How long an older initramfs is kept: a run that chose it opens it within seconds. */
const KEEP_OLDER_MS = 10 * 60_000;

/** Removes initramfs files made for an older init.sh (or busybox, or modules) beside `current`. */
function pruneOlder(dir: string, current: string): void {
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (!/^initramfs-[0-9a-f]{16}\.cpio$/.test(name) || file === current) continue;
    try {
      if (Date.now() - statSync(file).mtimeMs > KEEP_OLDER_MS) rmSync(file, { force: true });
    } catch {
      // removed meanwhile
    }
  }
}

/** A module file's contents, uncompressed: busybox's insmod takes plain .ko files only. */
async function readModule(file: string, work: string): Promise<Buffer> {
  if (file.endsWith('.ko')) return readFileSync(file);
  if (file.endsWith('.ko.gz')) return promisify(gunzip)(readFileSync(file));
  const copy = join(work, basename(file));
  copyFileSync(file, copy);
  if (file.endsWith('.ko.xz')) await run(['xz', '-d', copy]);
  else if (file.endsWith('.ko.zst')) await run(['zstd', '-d', '-q', '--rm', copy]);
  else throw new TypeError(`unknown module compression: ${file}`);
  return readFileSync(copy.replace(/\.(xz|zst)$/, ''));
}
