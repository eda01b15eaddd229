import { isAbsolute } from 'node:path';
import { InputError } from '../errors.js';

/** What `--kernel` asks for: one kernel, or a comma-separated matrix of them. */
export type KernelChoice =
  | { kind: 'auto' }
  | { kind: 'host' }
  | { kind: 'uml' }
  | { kind: 'qemu'; version?: string; path?: string }
  | { kind: 'vagrant' };

const RULE =
  'expected auto, host, uml, qemu, qemu:VERSION (a Debian kernel, e.g. qemu:6.1.0-53-amd64), qemu:/path/to/bzImage or vagrant; several, comma-separated, make a matrix';

/** Parses one `--kernel` word. */
export function parseKernelChoice(word: string, field = '--kernel'): KernelChoice {
  if (word === 'auto' || word === 'host' || word === 'uml' || word === 'vagrant')
    return { kind: word };
  if (word === 'qemu') return { kind: 'qemu' };
  if (word.startsWith('qemu:')) {
    const arg = word.slice('qemu:'.length);
    if (isAbsolute(arg) && !/[\s\0]/.test(arg)) return { kind: 'qemu', path: arg };
    if (/^\d+\.\d+(\.\d+)?-[\w.+-]+$/.test(arg)) return { kind: 'qemu', version: arg };
  }
  throw new InputError(field, word, RULE);
}

/** Parses `--kernel a,b,c` into a matrix; duplicates are refused. */
export function parseKernelMatrix(value: string | undefined, field = '--kernel'): KernelChoice[] {
  const words = (value ?? 'auto').split(',').map((w) => w.trim());
  const seen = new Set<string>();
  return words.map((w) => {
    if (seen.has(w)) throw new InputError(field, value, `${w} is listed twice`);
    seen.add(w);
    return parseKernelChoice(w, field);
  });
}

/** The label of a choice, as `--kernel` spells it. */
export function kernelLabel(choice: KernelChoice): string {
  if (choice.kind !== 'qemu') return choice.kind;
  return choice.path ?? (choice.version === undefined ? 'qemu' : `qemu:${choice.version}`);
}
