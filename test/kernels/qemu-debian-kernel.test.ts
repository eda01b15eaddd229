import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  availableDebianKernels,
  compareVersions,
  isGenericFlavour,
  newestDebianKernel,
  prepareDebianKernel,
} from '../../harness/kernels/qemu/debian-kernel.js';

void t.test('kernel versions sort by their numbers', async (t) => {
  t.same(
    ['6.12.9+deb12-amd64', '6.1.0-10-amd64', '6.1.0-9-amd64', '6.12.10+deb12-amd64'].sort(
      compareVersions,
    ),
    ['6.1.0-9-amd64', '6.1.0-10-amd64', '6.12.9+deb12-amd64', '6.12.10+deb12-amd64'],
  );
  t.ok(compareVersions('6.1.0-56-amd64', '6.1.0-56-cloud-amd64') !== 0, 'flavours differ');
});

void t.test('the default flavour is the generic one', async (t) => {
  t.ok(isGenericFlavour('6.1.0-56-amd64'));
  t.ok(isGenericFlavour('6.12.117+deb12-amd64'));
  t.notOk(isGenericFlavour('6.1.0-56-cloud-amd64'));
  t.notOk(isGenericFlavour('6.12.117+deb12-rt-amd64'));
  const newest = await newestDebianKernel();
  t.ok(newest !== undefined && isGenericFlavour(newest), `plain qemu boots ${String(newest)}`);
});

void t.test('apt lists the Debian kernels, package names only', async (t) => {
  const versions = await availableDebianKernels();
  t.ok(versions.length > 0, 'apt-get update has run');
  for (const v of versions) t.match(v, /^\d+\.\d+[\w.+~-]*-amd64$/);
  t.notOk(
    versions.some((v) => v.endsWith('-unsigned') || v.endsWith('-dbg')),
    'no -unsigned or -dbg packages',
  );
  t.notOk(
    versions.some((v) => /^\d+\.\d+-[a-z-]*amd64$/.test(v)),
    'no metapackages (6.12-amd64)',
  );
  t.same([...versions].sort(compareVersions), versions, 'oldest first');
});

void t.test('an unknown version is refused with the list of those apt has', async (t) => {
  const saved = process.env.BONDLAB_CACHE;
  process.env.BONDLAB_CACHE = t.testdir();
  t.teardown(() => {
    if (saved === undefined) delete process.env.BONDLAB_CACHE;
    else process.env.BONDLAB_CACHE = saved;
  });
  const newest = (await availableDebianKernels()).at(-1) ?? '';
  await t.rejects(prepareDebianKernel('6.1.0-1-amd64'), {
    code: 'E_INPUT',
    field: '--kernel',
    value: 'qemu:6.1.0-1-amd64',
    message: new RegExp(`Debian kernels apt has here: .*qemu:${newest.replace(/[.+]/g, '\\$&')}`),
  });
  t.same(readdirSync(join(process.env.BONDLAB_CACHE, 'qemu')), [], 'nothing is left in the cache');
});
