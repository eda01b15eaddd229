import { closeSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { run } from '../../exec/run.js';
import { programHeaders } from './elf.js';

/** What the x86 boot header of a bzImage says (Documentation/arch/x86/boot.rst). */
export interface BzImageHeader {
  /** `uname -r` of the kernel inside. */
  release: string;
  /** Where the compressed vmlinux sits in the file. */
  payloadOffset: number;
  payloadLength: number;
}

/** Reads a bzImage's boot header; undefined if `path` is not a bzImage (protocol 2.08+). */
export function readBzImageHeader(path: string): BzImageHeader | undefined {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(0x1000);
    const size = readSync(fd, head, 0, head.length, 0);
    if (size < 0x260 || head.toString('latin1', 0x202, 0x206) !== 'HdrS') return undefined;
    if (head.readUInt16LE(0x206) < 0x208) return undefined;
    // A setup_sects of 0 means 4 (boot.rst); the setup code is followed by the protected-mode part.
    const setupSectors = head[0x1f1] === 0 ? 4 : (head[0x1f1] ?? 4);
    const versionAt = head.readUInt16LE(0x20e) + 0x200;
    const version = readCString(fd, versionAt, 256);
    return {
      release: version.split(' ')[0] ?? '',
      payloadOffset: (setupSectors + 1) * 512 + head.readUInt32LE(0x248),
      payloadLength: head.readUInt32LE(0x24c),
    };
  } finally {
    closeSync(fd);
  }
}

function readCString(fd: number, at: number, max: number): string {
  const buffer = Buffer.alloc(max);
  const size = readSync(fd, buffer, 0, max, at);
  const end = buffer.subarray(0, size).indexOf(0);
  return buffer.toString('latin1', 0, end === -1 ? size : end);
}

const BANNER = Buffer.from('Linux version ');

/**
 * `uname -r` of an ELF vmlinux, from its banner ("Linux version 6.1.0-56-amd64 (builder@host)");
 * undefined if no banner is found.
 */
export function vmlinuxRelease(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(8 << 20);
    for (let at = 0; ; at += chunk.length - 256) {
      const size = readSync(fd, chunk, 0, chunk.length, at);
      const view = chunk.subarray(0, size);
      for (let hit = view.indexOf(BANNER); hit !== -1; hit = view.indexOf(BANNER, hit + 1)) {
        const text = view.toString('latin1', hit + BANNER.length, hit + BANNER.length + 128);
        const match = /^([\w.+~-]+) \(/.exec(text);
        if (match?.[1] !== undefined) return match[1];
      }
      if (size < chunk.length) return undefined;
    }
  } finally {
    closeSync(fd);
  }
}

/** The compressions x86 kernels are built with, by the payload's magic bytes. */
const COMPRESSIONS = [
  { name: 'gzip', magic: [0x1f, 0x8b] },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: 'lzma', magic: [0x5d, 0x00, 0x00] },
] as const;

/**
 * Unpacks the ELF vmlinux from a bzImage into `out`, using `workDir` for the intermediate files.
 * Like the kernel's scripts/extract-vmlinux, but reads the payload's place from the boot header
 * instead of searching for magic bytes. Returns false (and writes nothing) when the payload's
 * compression is one this does not handle (bzip2, lzo, lz4): the bzImage then boots as it is.
 */
export async function extractVmlinux(
  bzImage: string,
  out: string,
  workDir: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const header = readBzImageHeader(bzImage);
  if (header === undefined) throw new TypeError(`${bzImage} is not a bzImage`);
  const payload = readFileSync(bzImage).subarray(
    header.payloadOffset,
    header.payloadOffset + header.payloadLength,
  );
  const compression = COMPRESSIONS.find((c) => c.magic.every((b, i) => payload[i] === b));
  const base = join(workDir, 'vmlinux-payload');
  // All but gzip carry the uncompressed size in 4 bytes after the stream (arch/x86/boot/compressed/Makefile).
  const stream = payload.subarray(0, payload.length - 4);
  switch (compression?.name) {
    case 'gzip':
      writeFileSync(base, await promisify(gunzip)(payload));
      break;
    case 'xz':
      writeFileSync(`${base}.xz`, stream);
      await run(['xz', '-d', '--single-stream', `${base}.xz`], { signal, timeoutMs: 120_000 });
      break;
    case 'zstd':
      writeFileSync(`${base}.zst`, stream);
      await run(['zstd', '-d', '-q', '--rm', `${base}.zst`], { signal, timeoutMs: 120_000 });
      break;
    case 'lzma':
      writeFileSync(`${base}.lzma`, stream);
      await run(['xz', '--format=lzma', '-d', `${base}.lzma`], { signal, timeoutMs: 120_000 });
      break;
    case undefined:
      return false;
  }
  if (programHeaders(base) === undefined) {
    throw new Error(`the ${compression.name} payload of ${bzImage} did not unpack to an ELF file`);
  }
  renameSync(base, out);
  return true;
}
