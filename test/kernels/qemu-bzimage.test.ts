import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import {
  extractVmlinux,
  readBzImageHeader,
  vmlinuxRelease,
} from '../../harness/kernels/qemu/bzimage.js';

const RELEASE = '6.9.0-rc1-bondlab+';

/**
 * A bzImage as the x86 boot protocol lays it out: 2 setup sectors, the version string they point
 * to, then the compressed payload (with the 4-byte size the kernel build appends to all but gzip).
 */
function bzImage(payload: Buffer): Buffer {
  const setupSectors = 2;
  const image = Buffer.alloc((setupSectors + 1) * 512 + 16 + payload.length);
  image[0x1f1] = setupSectors;
  image.write('HdrS', 0x202, 'latin1');
  image.writeUInt16LE(0x020f, 0x206);
  image.writeUInt16LE(0x300 - 0x200, 0x20e);
  image.write(`${RELEASE} (dev@box) #1 SMP\0`, 0x300, 'latin1');
  image.writeUInt32LE(16, 0x248);
  image.writeUInt32LE(payload.length, 0x24c);
  payload.copy(image, (setupSectors + 1) * 512 + 16);
  return image;
}

/** Any ELF64 file stands in for a vmlinux: node itself. */
const vmlinux = readFileSync(process.execPath).subarray(0, 1 << 20);

void t.test('the boot header gives the release and the payload', async (t) => {
  const file = join(t.testdir(), 'bzImage');
  const payload = gzipSync(vmlinux);
  writeFileSync(file, bzImage(payload));
  t.same(readBzImageHeader(file), {
    release: RELEASE,
    payloadOffset: 3 * 512 + 16,
    payloadLength: payload.length,
  });
  const other = join(t.testdir(), 'other');
  writeFileSync(other, Buffer.alloc(4096));
  t.equal(readBzImageHeader(other), undefined, 'no HdrS: not a bzImage');
});

for (const [name, compress] of [
  ['gzip', (b: Buffer) => gzipSync(b)],
  [
    'xz',
    (b: Buffer) =>
      Buffer.concat([execFileSync('xz', ['-c', '--check=crc32'], { input: b }), sizeOf(b)]),
  ],
] as const) {
  void t.test(`the vmlinux unpacks from a ${name} payload`, async (t) => {
    const dir = t.testdir();
    const file = join(dir, 'bzImage');
    writeFileSync(file, bzImage(compress(vmlinux)));
    t.ok(await extractVmlinux(file, join(dir, 'vmlinux'), dir));
    t.ok(readFileSync(join(dir, 'vmlinux')).equals(vmlinux), 'byte for byte');
  });
}

void t.test('an unknown compression is refused without writing anything', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'bzImage');
  writeFileSync(file, bzImage(Buffer.from('BZh91AY&SY not really bzip2')));
  t.equal(await extractVmlinux(file, join(dir, 'vmlinux'), dir), false);
});

void t.test('the release of an ELF vmlinux comes from its banner', async (t) => {
  const file = join(t.testdir(), 'vmlinux');
  writeFileSync(
    file,
    Buffer.concat([
      Buffer.alloc(9 << 20, 0x41),
      Buffer.from('Linux version %s (%s)\0'),
      Buffer.from(`Linux version ${RELEASE} (dev@box) (gcc 12) #1 SMP\n\0`),
    ]),
  );
  t.equal(vmlinuxRelease(file), RELEASE, 'found past the first 8 MiB chunk, format string skipped');
  const none = join(t.testdir(), 'none');
  writeFileSync(none, 'no banner');
  t.equal(vmlinuxRelease(none), undefined);
});

function sizeOf(b: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32LE(b.length);
  return size;
}
