import { statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { parseKernelMatrix } from '../kernels/choice.js';
import { readBzImageHeader } from '../kernels/qemu/bzimage.js';
import { programHeaders } from '../kernels/qemu/elf.js';

/**
 * Checks `--kernel` where it enters, before privileges are checked or anything is recorded: the
 * words (as `onKernels` will parse them), and that a `qemu:/path` is a kernel image at all. The
 * guest itself checks the image again, and more deeply, when it prepares it; this only makes a
 * wrong path cost nothing (no run record, no temp folder, no `kernel:` line).
 */
export function checkKernelOption(value: unknown): void {
  if (value !== undefined && typeof value !== 'string') {
    throw new InputError('--kernel', value, 'expected one value');
  }
  for (const choice of parseKernelMatrix(value)) {
    if (choice.kind !== 'qemu' || choice.path === undefined) continue;
    const { path } = choice;
    let isFile: boolean;
    try {
      isFile = statSync(path).isFile();
    } catch {
      throw new InputError('--kernel', `qemu:${path}`, 'expected an existing bzImage or vmlinux');
    }
    if (!isFile || !isKernelImage(path)) {
      throw new InputError('--kernel', `qemu:${path}`, 'expected an x86 bzImage or an ELF vmlinux');
    }
  }
}

function isKernelImage(path: string): boolean {
  try {
    return readBzImageHeader(path) !== undefined || programHeaders(path) !== undefined;
  } catch {
    return false; // unreadable: not an image this user can boot
  }
}
