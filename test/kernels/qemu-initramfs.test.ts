import { readdirSync, readFileSync, utimesSync } from 'node:fs';
import { basename, join } from 'node:path';
import t from 'tap';
import {
  newestDebianKernel,
  prepareDebianKernel,
} from '../../harness/kernels/qemu/debian-kernel.js';
import {
  BOOT_MODULES,
  bootModuleFiles,
  ensureInitramfs,
} from '../../harness/kernels/qemu/initramfs.js';
import { findQemuInstall } from '../../harness/kernels/qemu/install.js';
import { ROOT } from '../fixtures/host.js';

const install = findQemuInstall();
const init = join(ROOT, 'harness', 'kernels', 'qemu', 'init.sh');

void t.test('an initramfs without modules holds busybox and init, made once', async (t) => {
  const dir = t.testdir();
  const input = { busybox: install.busybox, init, modulesRoot: undefined, release: '6.9.0' };
  const path = await ensureInitramfs(dir, input);
  t.match(path, /initramfs-[0-9a-f]{16}\.cpio$/);
  const archive = readFileSync(path);
  t.ok(archive.includes(readFileSync(init)), 'init.sh is in it');
  t.ok(archive.includes(Buffer.from('bin/busybox\0')));
  t.equal(await ensureInitramfs(dir, input), path, 'the same inputs give the same file');
});

void t.test('a new initramfs removes those of an older init.sh, not recent ones', async (t) => {
  const dir = t.testdir({
    'initramfs-00000000000000aa.cpio': 'old',
    'initramfs-00000000000000bb.cpio': 'recent',
    'kernel.json': '{}',
  });
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(join(dir, 'initramfs-00000000000000aa.cpio'), hourAgo, hourAgo);
  utimesSync(join(dir, 'kernel.json'), hourAgo, hourAgo);
  const input = { busybox: install.busybox, init, modulesRoot: undefined, release: '6.9.0' };
  const path = await ensureInitramfs(dir, input);
  t.same(
    readdirSync(dir).sort(),
    ['initramfs-00000000000000bb.cpio', basename(path), 'kernel.json'].sort(),
  );
});

void t.test(
  'the boot modules of a Debian kernel, with their dependencies, in load order',
  async (t) => {
    const version = await newestDebianKernel((v) => /^6\.1\.0-\d+-amd64$/.test(v));
    if (version === undefined) throw new Error('apt lists no linux-image-6.1.0-N-amd64');
    const kernel = await prepareDebianKernel(version);
    const files = await bootModuleFiles(kernel.cacheDir, version);
    const names = files.map((f) =>
      f
        .split('/')
        .at(-1)
        ?.replace(/\.ko.*$/, ''),
    );
    for (const module of BOOT_MODULES) t.ok(names.includes(module), `${module} is loaded`);
    t.ok(names.indexOf('virtio') < names.indexOf('virtio_pci'), 'virtio before virtio_pci');
    t.ok(names.indexOf('9pnet') < names.indexOf('9pnet_virtio'), '9pnet before 9pnet_virtio');
    t.equal(new Set(names).size, names.length, 'each once');
  },
);

void t.test('a modules folder without the boot modules is refused, naming them', async (t) => {
  const root = t.testdir({ lib: { modules: { '6.9.0': { 'modules.dep': '' } } } });
  await t.rejects(bootModuleFiles(root, '6.9.0'), { code: 'E_INPUT', message: /9p/ });
});
