import t from 'tap';
import {
  guestModules,
  qemuCommandLine,
  type QemuBoot,
} from '../../harness/kernels/qemu/command-line.js';

function boot(overrides: Partial<QemuBoot> = {}): QemuBoot {
  return {
    install: {
      qemu: '/usr/bin/qemu-system-x86_64',
      busybox: '/bin/busybox',
      setpriv: '/usr/bin/setpriv',
      kvm: false,
      firmware: '/usr/share/qemu/qboot.rom',
    },
    kernel: {
      label: 'qemu:6.1.0-56-amd64',
      release: '6.1.0-56-amd64',
      image: '/cache/qemu/debian-6.1.0-56-amd64/boot/vmlinux-6.1.0-56-amd64',
      modulesRoot: '/cache/qemu/debian-6.1.0-56-amd64',
      cacheDir: '/cache/qemu/debian-6.1.0-56-amd64',
      prepareMs: 0,
    },
    initramfs: '/cache/qemu/debian-6.1.0-56-amd64/initramfs-0123456789abcdef.cpio',
    memoryMb: 1024,
    cpus: 2,
    name: 'bondlab-abcde-0123',
    node: '/usr/bin/node',
    entry: '/src/bondlab/dist/harness/kernels/guest-main.js',
    shareDir: '/tmp/share',
    jobFile: '/tmp/share/.bondlab-guest-0123.job.json',
    append: [],
    ...overrides,
  };
}

function option(args: readonly string[], name: string): string[] {
  return args.flatMap((a, i) => (a === name ? [args[i + 1] ?? ''] : []));
}

void t.test('QEMU runs under setpriv, dies with its parent, and boots the PVH image', async (t) => {
  const { file, args } = qemuCommandLine(boot());
  t.equal(file, '/usr/bin/setpriv');
  t.same(args.slice(0, 4), ['--pdeathsig', 'KILL', '--', '/usr/bin/qemu-system-x86_64']);
  t.same(option(args, '-accel'), ['tcg']);
  t.same(option(args, '-cpu'), ['max']);
  t.same(option(args, '-machine'), ['pc']);
  t.same(option(args, '-bios'), ['/usr/share/qemu/qboot.rom']);
  t.ok(args.includes('-no-reboot'), 'a panic (panic=-1) ends QEMU');
  t.same(option(args, '-device'), ['isa-debug-exit,iobase=0xf4,iosize=0x04']);
  const append = option(args, '-append')[0]?.split(' ') ?? [];
  for (const word of [
    'console=ttyS0',
    'panic=-1',
    'BONDLAB_SHARE=/tmp/share',
    'BONDLAB_JOB=/tmp/share/.bondlab-guest-0123.job.json',
    'BONDLAB_NODE=/usr/bin/node',
    'BONDLAB_MODULES=/cache/qemu/debian-6.1.0-56-amd64',
  ]) {
    t.ok(append.includes(word), word);
  }
  const exports = option(args, '-virtfs');
  t.equal(exports.length, 2, 'root and share: the modules are visible through the root');
  t.match(exports[0], /^local,path=\/,mount_tag=bondlab-root,.*readonly=on/);
  t.match(exports[1], /^local,path=\/tmp\/share,mount_tag=bondlab-share,/);
  t.notMatch(exports[1], /readonly/);
});

void t.test('KVM when usable; SeaBIOS without qboot; extra words go last', async (t) => {
  const base = boot();
  const { args } = qemuCommandLine(
    boot({
      install: { ...base.install, kvm: true, firmware: undefined },
      append: ['loglevel=7'],
    }),
  );
  t.same(option(args, '-accel'), ['kvm']);
  t.same(option(args, '-cpu'), ['host']);
  t.same(option(args, '-bios'), []);
  t.match(option(args, '-append')[0], / loglevel=7$/);
});

void t.test(
  'modules the guest cannot see through the root get an export of their own',
  async (t) => {
    t.same(guestModules(undefined), { inGuest: undefined, exported: undefined });
    t.same(guestModules('/root/.cache/bondlab/qemu/x'), {
      inGuest: '/root/.cache/bondlab/qemu/x',
      exported: undefined,
    });
    t.same(guestModules('/run/cache/x'), {
      inGuest: '/run/bondlab/modules',
      exported: '/run/cache/x',
    });
    // The guest keeps the host's /tmp in sight (read-only): no export needed there.
    t.same(guestModules('/tmp/cache/x'), { inGuest: '/tmp/cache/x', exported: undefined });
    const base = boot();
    const { args } = qemuCommandLine(
      boot({ kernel: { ...base.kernel, modulesRoot: '/run/cache/x' } }),
    );
    t.match(
      option(args, '-virtfs')[2],
      /^local,path=\/run\/cache\/x,mount_tag=bondlab-modules,.*readonly=on/,
    );
    t.ok(option(args, '-append')[0]?.includes('BONDLAB_MODULES=/run/bondlab/modules'));
  },
);

void t.test('a path that QEMU or the kernel command line would split is refused', async (t) => {
  t.throws(() => qemuCommandLine(boot({ shareDir: '/tmp/a,b' })), { code: 'E_INPUT' });
  t.throws(() => qemuCommandLine(boot({ shareDir: '/tmp/a b' })), { code: 'E_INPUT' });
  const base = boot();
  t.throws(() => qemuCommandLine(boot({ kernel: { ...base.kernel, image: '/k/vmlinux,x' } })), {
    code: 'E_INPUT',
  });
  t.throws(() => qemuCommandLine(boot({ node: '/run/node' })), {
    code: 'E_INPUT',
    message: /cannot see this host path/,
  });
});
