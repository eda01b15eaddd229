import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CommandError } from '../../harness/exec/command-error.js';
import { VagrantCli } from '../../harness/kernels/vagrant/cli.js';
import {
  copyShareIn,
  copyShareOut,
  removeShareInGuest,
} from '../../harness/kernels/vagrant/share.js';

// The job's shareDir goes to the VM and back as tar over `vagrant ssh`. With no VM here, a
// stand-in for `vagrant ssh NAME -- OPTIONS... COMMAND` runs COMMAND with `sh -c` (what sshd does
// with it) in a mount namespace whose /tmp is another folder: a file system apart from the host's,
// as the VM's is. Everything else is real: quoting, tar, the pipes, sudo's argv.

function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['-m', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skip = canUnshare() ? false : 'needs root and unshare -m (util-linux) for a separate /tmp';

const work = mkdtempSync(join('/dev/shm', 'bondlab-vagrant-share-'));
const guestTmp = join(work, 'guest-tmp');
const bin = join(work, 'bin');
mkdirSync(guestTmp);
mkdirSync(bin);
t.teardown(() => {
  rmSync(work, { recursive: true, force: true });
});

writeFileSync(
  join(bin, 'vagrant'),
  `#!/bin/sh
[ "$1" = ssh ] || { echo "stand-in vagrant: only ssh" >&2; exit 64; }
for last; do :; done
exec unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" /tmp && exec sh -c "$2"' sh ${JSON.stringify(guestTmp)} "$last"
`,
);
// The box's sudo runs anything for the vagrant user without a password; as root here, just run it.
writeFileSync(
  join(bin, 'sudo'),
  '#!/bin/sh\n[ "$1" = -n ] && shift\n[ "$1" = -- ] && shift\nexec "$@"\n',
);
chmodSync(join(bin, 'vagrant'), 0o755);
chmodSync(join(bin, 'sudo'), 0o755);
process.env.PATH = `${bin}:${process.env.PATH ?? ''}`;

const cli = new VagrantCli({ binary: join(bin, 'vagrant'), vagrantDir: work });
const signal = new AbortController().signal;

/** A share folder on the host, with names and bytes that a careless copy would break. */
function makeShare(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bondlab share '));
  writeFileSync(join(dir, 'job.json'), '{"mode":"802.3ad"}\n');
  writeFileSync(join(dir, "it's a file; rm -rf $(x)"), 'hostile name\n');
  writeFileSync(join(dir, 'déjà 🧪.bin'), Buffer.from([0, 1, 2, 255, 10, 13, 0]));
  mkdirSync(join(dir, 'sub dir'));
  writeFileSync(join(dir, 'sub dir', 'nested'), 'x'.repeat(200_000));
  return dir;
}

void t.test(
  'the share goes in at the same path, and comes back with the results',
  { skip },
  async (t) => {
    const share = makeShare();
    t.teardown(() => {
      rmSync(share, { recursive: true, force: true });
    });
    const inGuest = join(guestTmp, share.slice('/tmp/'.length));
    await copyShareIn(cli, share, signal);
    t.ok(existsSync(inGuest), 'the VM has it at the same path');
    t.same(readdirSync(inGuest).sort(), readdirSync(share).sort());
    t.same(readFileSync(join(inGuest, 'déjà 🧪.bin')), readFileSync(join(share, 'déjà 🧪.bin')));

    // The job writes its results in the VM's copy.
    writeFileSync(join(inGuest, 'result.json'), '{"failover_ms":42}\n');
    writeFileSync(join(inGuest, 'sub dir', 'nested'), 'changed');
    await copyShareOut(cli, share, signal);
    t.equal(readFileSync(join(share, 'result.json'), 'utf8'), '{"failover_ms":42}\n');
    t.equal(readFileSync(join(share, 'sub dir', 'nested'), 'utf8'), 'changed');
    t.equal(readFileSync(join(share, "it's a file; rm -rf $(x)"), 'utf8'), 'hostile name\n');
    t.notOk(existsSync(inGuest), 'the VM copy is gone after the copy back');
  },
);

void t.test(
  'a folder already in the VM is not ours: exit 3, and it is left alone',
  { skip },
  async (t) => {
    const share = makeShare();
    t.teardown(() => {
      rmSync(share, { recursive: true, force: true });
    });
    const inGuest = join(guestTmp, share.slice('/tmp/'.length));
    mkdirSync(inGuest);
    writeFileSync(join(inGuest, 'theirs'), 'keep');
    const error = await copyShareIn(cli, share, signal).catch((e: unknown) => e);
    t.ok(error instanceof CommandError);
    t.equal((error as CommandError).exitCode, 3);
    t.match((error as CommandError).message, /already exists in the VM/);
    t.equal(readFileSync(join(inGuest, 'theirs'), 'utf8'), 'keep');
    await removeShareInGuest(cli, share, signal);
    t.notOk(existsSync(inGuest), 'teardown removes it when asked');
  },
);
