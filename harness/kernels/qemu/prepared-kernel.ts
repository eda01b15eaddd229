/** A kernel ready for QEMU: what `-kernel` gets, where its modules are, where its cache is. */
export interface PreparedKernel {
  /** As `--kernel` spells it: `qemu:6.1.0-56-amd64`, `qemu:/path/to/bzImage`. */
  label: string;
  /** `uname -r` inside the guest. */
  release: string;
  /**
   * What QEMU boots: an ELF vmlinux with a PVH entry (2 s to init under emulation) or, when there
   * is none, the bzImage (5.4 s: the decompressor runs emulated).
   */
  image: string;
  /** Folder holding lib/modules/<release>, exported read-only to the guest; undefined if none. */
  modulesRoot: string | undefined;
  /** This kernel's cache folder: its initramfs is made there. */
  cacheDir: string;
  /** How long preparing took, ms; 0 when it was already in the cache. */
  prepareMs: number;
}

/** What a prepared cache folder records about its kernel (kernel.json). */
export interface KernelRecord {
  version: 1;
  release: string;
  /** The image, relative to the cache folder. */
  image: string;
  /** The modules root, relative to the cache folder, or absolute (a self-built kernel's). */
  modulesRoot: string | undefined;
  source: string;
}

export const KERNEL_RECORD = 'kernel.json';
