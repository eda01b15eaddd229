import t from 'tap';
import { cpioArchive } from '../../harness/kernels/qemu/cpio.js';

interface Member {
  name: string;
  mode: number;
  data: Buffer;
  rdev: [number, number];
}

/** Reads a newc archive back, checking every header and every 4-byte alignment on the way. */
function parse(archive: Buffer): Member[] {
  const members: Member[] = [];
  let at = 0;
  for (;;) {
    const header = archive.toString('latin1', at, at + 110);
    if (!header.startsWith('070701')) throw new Error(`bad magic at ${at}`);
    const field = (i: number): number => parseInt(header.slice(6 + i * 8, 14 + i * 8), 16);
    const nameSize = field(11);
    const size = field(6);
    const name = archive.toString('latin1', at + 110, at + 110 + nameSize - 1);
    if (archive[at + 110 + nameSize - 1] !== 0) throw new Error(`name of ${name} not NUL-ended`);
    const dataAt = align(at + 110 + nameSize);
    if (name === 'TRAILER!!!') return members;
    members.push({
      name,
      mode: field(1),
      data: archive.subarray(dataAt, dataAt + size),
      rdev: [field(9), field(10)],
    });
    at = align(dataAt + size);
  }
}

function align(n: number): number {
  return (n + 3) & ~3;
}

void t.test('a newc archive holds folders, files, symlinks and device nodes', async (t) => {
  const archive = cpioArchive([
    { kind: 'dir', path: 'bin' },
    { kind: 'file', path: '/bin/busybox', data: Buffer.from('odd length'), mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'empty', data: Buffer.alloc(0) },
  ]);
  t.equal(archive.length % 4, 0);
  const members = parse(archive);
  t.same(
    members.map((m) => [m.name, m.mode.toString(8)]),
    [
      ['bin', '40755'],
      ['bin/busybox', '100755'],
      ['bin/sh', '120777'],
      ['dev/console', '20600'],
      ['empty', '100644'],
    ],
  );
  t.equal(members[1]?.data.toString(), 'odd length', 'a leading / is dropped, data intact');
  t.equal(members[2]?.data.toString(), 'busybox', 'a symlink holds its target');
  t.same(members[3]?.rdev, [5, 1]);
});

void t.test('the same entries give the same bytes', async (t) => {
  const entries = [{ kind: 'file', path: 'init', data: Buffer.from('#!/bin/sh\n') }] as const;
  t.same(cpioArchive(entries), cpioArchive(entries));
});
