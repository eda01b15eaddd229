import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { hasPvhEntry, isStaticElf, programHeaders } from '../../harness/kernels/qemu/elf.js';

/** A minimal ELF64 file with one PT_NOTE segment holding one note. */
function elfWithNote(name: string, type: number): Buffer {
  const elf = Buffer.alloc(160);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2; // ELFCLASS64
  elf[5] = 1; // little-endian
  elf.writeBigUInt64LE(64n, 0x20); // e_phoff
  elf.writeUInt16LE(56, 0x36); // e_phentsize
  elf.writeUInt16LE(1, 0x38); // e_phnum
  elf.writeUInt32LE(4, 64); // PT_NOTE
  elf.writeBigUInt64LE(120n, 64 + 8); // p_offset
  elf.writeBigUInt64LE(24n, 64 + 32); // p_filesz
  elf.writeUInt32LE(4, 120); // namesz
  elf.writeUInt32LE(8, 124); // descsz
  elf.writeUInt32LE(type, 128);
  elf.write(name, 132, 'latin1');
  return elf;
}

void t.test('a PVH entry note is found, other notes are not taken for one', async (t) => {
  const dir = t.testdir();
  const pvh = join(dir, 'pvh');
  const other = join(dir, 'other');
  const gnu = join(dir, 'gnu');
  writeFileSync(pvh, elfWithNote('Xen\0', 18));
  writeFileSync(other, elfWithNote('Xen\0', 17));
  writeFileSync(gnu, elfWithNote('GNU\0', 18));
  t.ok(hasPvhEntry(pvh));
  t.notOk(hasPvhEntry(other));
  t.notOk(hasPvhEntry(gnu));
  t.same(programHeaders(pvh), [{ type: 4, offset: 120, fileSize: 24 }]);
  t.ok(isStaticElf(pvh), 'no PT_INTERP: static');
});

void t.test('non-ELF files and dynamic programs', async (t) => {
  const text = join(t.testdir(), 'text');
  writeFileSync(text, 'not an ELF file at all, but long enough to hold a header'.repeat(2));
  t.equal(programHeaders(text), undefined);
  t.notOk(hasPvhEntry(text));
  t.notOk(isStaticElf(text));
  t.notOk(isStaticElf(process.execPath), 'node is dynamically linked');
});
