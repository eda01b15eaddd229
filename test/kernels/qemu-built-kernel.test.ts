/**
 * A self-built kernel (`qemu:/path/to/bzImage`), with a Debian kernel standing in for one: its
 * bzImage, its vmlinux and its modules folder laid out as `make modules_install` leaves them.
 * Booting such a kernel is the same as booting a Debian one (qemu.test.ts); this checks what
 * differs: finding the release, unpacking once per build, and finding the modules.
 */
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { prepareBuiltKernel } from '../../harness/kernels/qemu/built-kernel.js';
import {
  newestDebianKernel,
  prepareDebianKernel,
} from '../../harness/kernels/qemu/debian-kernel.js';
import { hasPvhEntry } from '../../harness/kernels/qemu/elf.js';

const version = await newestDebianKernel((v) => /^6\.1\.0-\d+-amd64$/.test(v));
if (version === undefined)
  throw new Error('apt lists no linux-image-6.1.0-N-amd64: apt-get update');
const debian = await prepareDebianKernel(version);
const vmlinuz = join(debian.cacheDir, 'boot', `vmlinuz-${version}`);

// Built kernels go to a cache of this test's own; the Debian kernel above stays where it was.
const saved = process.env.BONDLAB_CACHE;
process.env.BONDLAB_CACHE = t.testdir();
t.teardown(() => {
  if (saved === undefined) delete process.env.BONDLAB_CACHE;
  else process.env.BONDLAB_CACHE = saved;
});

void t.test('a bzImage is unpacked once per build, and boots through its PVH entry', async (t) => {
  const build = t.testdir();
  const bzImage = join(build, 'bzImage');
  symlinkSync(vmlinuz, bzImage);
  const first = await prepareBuiltKernel(bzImage, { modules: debian.cacheDir });
  t.equal(first.release, version, 'the release comes from the boot header');
  t.equal(first.label, `qemu:${bzImage}`);
  t.ok(first.prepareMs > 0, 'unpacked');
  t.match(first.image, /\/vmlinux$/);
  t.ok(hasPvhEntry(first.image));
  t.equal(first.modulesRoot, debian.cacheDir);
  const again = await prepareBuiltKernel(bzImage, { modules: debian.cacheDir });
  t.equal(again.prepareMs, 0, 'the same build is not unpacked again');
  t.equal(again.image, first.image);
});

void t.test('a vmlinux with a PVH entry boots as it is', async (t) => {
  const prepared = await prepareBuiltKernel(debian.image, { modules: debian.cacheDir });
  t.equal(prepared.release, version, 'the release comes from the banner');
  t.equal(prepared.image, debian.image);
});

void t.test('modules are found beside the image, as make install leaves them', async (t) => {
  const out = t.testdir();
  symlinkSync(vmlinuz, join(out, `vmlinuz-${version}`));
  mkdirSync(join(out, 'lib'));
  symlinkSync(join(debian.cacheDir, 'lib', 'modules'), join(out, 'lib', 'modules'));
  const prepared = await prepareBuiltKernel(join(out, `vmlinuz-${version}`), {});
  t.equal(prepared.modulesRoot, out);
});

void t.test('what cannot be a kernel or its modules is refused, saying why', async (t) => {
  const dir = t.testdir();
  const text = join(dir, 'bzImage');
  writeFileSync(text, 'not a kernel');
  await t.rejects(prepareBuiltKernel(join(dir, 'missing')), {
    code: 'E_INPUT',
    message: /expected an existing bzImage or vmlinux/,
  });
  await t.rejects(prepareBuiltKernel(text), {
    code: 'E_INPUT',
    message: /expected an x86 bzImage or an ELF vmlinux/,
  });
  await t.rejects(prepareBuiltKernel(vmlinuz, { modules: dir }), {
    code: 'E_INPUT',
    message: new RegExp(`lib/modules/${version.replaceAll('.', '\\.')}`),
  });
  mkdirSync(join(dir, 'lib', 'modules', version), { recursive: true });
  await t.rejects(prepareBuiltKernel(vmlinuz, { modules: dir }), {
    code: 'E_INPUT',
    hint: /depmod -b/,
  });
});

void t.test('a rebuild (new mtime) is unpacked anew', async (t) => {
  const build = t.testdir();
  const bzImage = join(build, 'bzImage');
  symlinkSync(vmlinuz, bzImage);
  const before = await prepareBuiltKernel(bzImage, { modules: debian.cacheDir });
  const later = new Date(Date.now() + 60_000);
  utimesSync(vmlinuz, later, later);
  t.teardown(() => {
    // The Debian kernel's own file: put its time back (nothing keys on it, but be tidy).
    const now = new Date();
    utimesSync(vmlinuz, now, now);
  });
  const after = await prepareBuiltKernel(bzImage, { modules: debian.cacheDir });
  t.not(after.cacheDir, before.cacheDir);
  t.ok(after.prepareMs > 0);
});
