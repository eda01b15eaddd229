import { closeSync, openSync, readSync } from 'node:fs';

/** One program header of an ELF64 file: what the loader (or QEMU) maps or reads. */
export interface ProgramHeader {
  type: number;
  offset: number;
  fileSize: number;
}

const PT_INTERP = 3;
const PT_NOTE = 4;
/** Xen's PVH entry point note: QEMU boots an ELF vmlinux through it (XEN_ELFNOTE_PHYS32_ENTRY). */
const XEN_ELFNOTE_PHYS32_ENTRY = 18;

function readAt(fd: number, offset: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, offset);
  return buffer.subarray(0, read);
}

/** The program headers of a little-endian ELF64 file; undefined if it is not one. */
export function programHeaders(path: string): ProgramHeader[] | undefined {
  const fd = openSync(path, 'r');
  try {
    const header = readAt(fd, 0, 64);
    if (header.length < 64 || header.readUInt32BE(0) !== 0x7f454c46) return undefined;
    if (header[4] !== 2 || header[5] !== 1) return undefined;
    const phoff = Number(header.readBigUInt64LE(0x20));
    const phentsize = header.readUInt16LE(0x36);
    const phnum = header.readUInt16LE(0x38);
    const table = readAt(fd, phoff, phentsize * phnum);
    const headers: ProgramHeader[] = [];
    for (let i = 0; i < phnum && (i + 1) * phentsize <= table.length; i++) {
      const at = i * phentsize;
      headers.push({
        type: table.readUInt32LE(at),
        offset: Number(table.readBigUInt64LE(at + 8)),
        fileSize: Number(table.readBigUInt64LE(at + 32)),
      });
    }
    return headers;
  } finally {
    closeSync(fd);
  }
}

/** True for a statically linked ELF64 program (no interpreter): it runs in an empty initramfs. */
export function isStaticElf(path: string): boolean {
  const headers = programHeaders(path);
  return headers !== undefined && !headers.some((h) => h.type === PT_INTERP);
}

/**
 * True if an ELF vmlinux has a PVH entry point (CONFIG_PVH=y), so QEMU can boot it directly,
 * which skips the decompressor: 2 s to init instead of 5.4 s under emulation (KERNELS.md).
 */
export function hasPvhEntry(path: string): boolean {
  const headers = programHeaders(path);
  if (headers === undefined) return false;
  const fd = openSync(path, 'r');
  try {
    for (const note of headers.filter((h) => h.type === PT_NOTE && h.fileSize < 1 << 20)) {
      const data = readAt(fd, note.offset, note.fileSize);
      for (let at = 0; at + 12 <= data.length;) {
        const nameSize = data.readUInt32LE(at);
        const descSize = data.readUInt32LE(at + 4);
        const type = data.readUInt32LE(at + 8);
        const name = data.subarray(at + 12, at + 12 + nameSize).toString('latin1');
        if (name === 'Xen\0' && type === XEN_ELFNOTE_PHYS32_ENTRY) return true;
        at += 12 + align4(nameSize) + align4(descSize);
      }
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
