/**
 * One member of an initramfs: a folder, a file, a symlink or a character device. The kernel
 * unpacks "newc" cpio archives; writing one here needs neither `cpio` nor root (device nodes are
 * just headers).
 */
export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Buffer; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

/** A "newc" (SVR4, no CRC) cpio archive of `entries`, in order, closed by the trailer. */
export function cpioArchive(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const entry of entries) {
    const [mode, data, rdev] = describe(entry);
    parts.push(...member(entry.path.replace(/^\/+/, ''), mode, data, rdev, ino++));
  }
  parts.push(...member('TRAILER!!!', 0, Buffer.alloc(0), [0, 0], 0));
  return Buffer.concat(parts);
}

function describe(entry: CpioEntry): [number, Buffer, [number, number]] {
  switch (entry.kind) {
    case 'dir':
      return [S_IFDIR | (entry.mode ?? 0o755), Buffer.alloc(0), [0, 0]];
    case 'file':
      return [S_IFREG | (entry.mode ?? 0o644), entry.data, [0, 0]];
    case 'symlink':
      return [S_IFLNK | 0o777, Buffer.from(entry.target), [0, 0]];
    case 'chardev':
      return [S_IFCHR | (entry.mode ?? 0o600), Buffer.alloc(0), [entry.major, entry.minor]];
  }
}

function member(
  name: string,
  mode: number,
  data: Buffer,
  [rdevMajor, rdevMinor]: [number, number],
  ino: number,
): Buffer[] {
  const nameBytes = Buffer.from(`${name}\0`);
  const fields = [
    ino,
    mode,
    0, // uid
    0, // gid
    (mode & 0o170000) === S_IFDIR ? 2 : 1, // nlink
    0, // mtime: fixed, so the same inputs give the same archive
    data.length,
    0, // dev major
    0, // dev minor
    rdevMajor,
    rdevMinor,
    nameBytes.length,
    0, // check
  ];
  const header = `070701${fields.map((f) => f.toString(16).padStart(8, '0')).join('')}`;
  return [
    Buffer.from(header, 'latin1'),
    nameBytes,
    pad(110 + nameBytes.length),
    data,
    pad(data.length),
  ];
}

/** Zero bytes that bring `length` to a multiple of 4. */
function pad(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}
