import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import t from 'tap';
import { BondlabError, EnvironmentError, InputError } from '../../harness/errors.js';
import { CommandError } from '../../harness/exec/command-error.js';
import { projectRoot } from '../../harness/kernels/guest-entry.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import { haltPolicyFromEnv, VagrantKernel } from '../../harness/kernels/vagrant/kernel.js';
import { findVagrant } from '../../harness/kernels/vagrant/locate.js';
import { GUEST_NODE, GUEST_PROJECT_ROOT, toGuestJob } from '../../harness/kernels/vagrant/paths.js';
import { shCommand, shQuote } from '../../harness/kernels/vagrant/quote.js';
import {
  machineError,
  machineStatus,
  parseMachineReadable,
} from '../../harness/kernels/vagrant/status.js';

const root = projectRoot();
const vagrantDir = join(root, 'vagrant');

/** Words a job's argv may carry, each a way to break naive quoting. */
const HOSTILE = [
  'plain',
  '',
  'two words',
  '  leading and trailing  ',
  "it's",
  "''",
  '"double" quotes',
  '\\back\\slash\\',
  '; rm -rf /',
  '$(touch /tmp/bondlab-pwned)',
  '`touch /tmp/bondlab-pwned`',
  '${HOME} $HOME $0 $1 $@ $*',
  'line one\nline two\n',
  '\ttab\r\n',
  '* ? [a-z] ~ ~root',
  '| & && || > < >> << ( ) { } !',
  '#not a comment',
  '-n',
  '--',
  'A=b',
  'unicode: déjà vu, 日本語, emoji 🧪, rtl \u202e',
  "'; echo injected; '",
  '\x01\x7f control bytes',
];

/** The bytes a shell produces for `printf '%s\0' WORDS...`: each word, NUL-terminated. */
function expectedBytes(words: readonly string[]): Buffer {
  return Buffer.concat(words.map((w) => Buffer.from(`${w}\0`, 'utf8')));
}

for (const shell of ['sh', 'bash']) {
  void t.test(
    `shCommand: ${shell} -c splits it back into the same argv, byte for byte`,
    async (t) => {
      const line = shCommand(['printf', '%s\\0', ...HOSTILE]);
      const result = await execa(shell, ['-c', line], {
        encoding: 'buffer',
        env: { HOME: '/nowhere' },
      });
      t.same(Buffer.from(result.stdout), expectedBytes(HOSTILE));
      t.equal(result.exitCode, 0);
    },
  );

  void t.test(`shQuote: each hostile word alone survives ${shell}`, async (t) => {
    for (const word of HOSTILE) {
      const result = await execa(shell, ['-c', `printf '%s\\0' ${shQuote(word)}`], {
        encoding: 'buffer',
      });
      t.same(Buffer.from(result.stdout), expectedBytes([word]), JSON.stringify(word));
    }
  });
}

void t.test('shQuote refuses a NUL byte, which no argv can carry', async (t) => {
  t.throws(() => shQuote('a\0b'), InputError);
  t.throws(() => shCommand([]), TypeError);
  t.equal(shQuote("it's"), `'it'\\''s'`);
});

void t.test('without vagrant on PATH: an EnvironmentError that says how to get it', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'bondlab-nopath-'));
  t.teardown(() => {
    rmSync(empty, { recursive: true, force: true });
  });
  const pathEnv = `${empty}:/nonexistent`;
  for (const attempt of [() => findVagrant(pathEnv), () => new VagrantKernel({ pathEnv })]) {
    try {
      attempt();
      t.fail('no error');
    } catch (error) {
      t.ok(error instanceof EnvironmentError);
      const e = error as EnvironmentError;
      t.equal(e.code, 'E_ENVIRONMENT');
      t.equal(e.exitStatus, 2);
      t.match(e.message, /--kernel vagrant needs vagrant, which is not installed/);
      t.match(e.hint, /apt-get install -y vagrant/);
      t.match(e.hint, /provider/);
      t.match(e.hint, /libvirt/);
      t.match(e.hint, /VirtualBox/);
    }
  }
});

void t.test(
  'BONDLAB_VAGRANT_HALT: if-started by default, never on request, else refused',
  async (t) => {
    t.equal(haltPolicyFromEnv(undefined), 'if-started');
    t.equal(haltPolicyFromEnv(''), 'if-started');
    t.equal(haltPolicyFromEnv('never'), 'never');
    t.equal(
      refusedField(() => haltPolicyFromEnv('always')),
      'BONDLAB_VAGRANT_HALT',
    );
  },
);

void t.test('the guest project root agrees with the Vagrantfile', async (t) => {
  const vagrantfile = readFileSync(join(vagrantDir, 'Vagrantfile'), 'utf8');
  t.match(vagrantfile, new RegExp(`^GUEST_ROOT = '${GUEST_PROJECT_ROOT}'$`, 'm'));
});

void t.test('host paths become guest paths; the shareDir keeps its path', async (t) => {
  const job = toGuestJob(
    {
      argv: [
        '/usr/bin/node-on-host',
        `${root}/dist/harness/cli/main.js`,
        '--out',
        '/tmp/share-1/x',
        'rel/path',
      ],
      cwd: `${root}/scenarios`,
      env: { BONDLAB_JOB: `${root}/x.json`, PLAIN: 'v a l' },
      shareDir: '/tmp/share-1',
    },
    root,
    '/usr/bin/node-on-host',
  );
  t.same(job.argv, [
    GUEST_NODE,
    `${GUEST_PROJECT_ROOT}/dist/harness/cli/main.js`,
    '--out',
    '/tmp/share-1/x',
    'rel/path',
  ]);
  t.equal(job.cwd, `${GUEST_PROJECT_ROOT}/scenarios`);
  t.notOk(job.cwdMoved);
  // A folder the VM does not have: the job starts in the share.
  const elsewhere = toGuestJob({ argv: ['true'], cwd: '/etc', shareDir: '/tmp/share-1' }, root);
  t.equal(elsewhere.cwd, '/tmp/share-1');
  t.ok(elsewhere.cwdMoved);
  t.equal(
    toGuestJob({ argv: ['true'], cwd: '/tmp/share-1/sub', shareDir: '/tmp/share-1' }, root).cwd,
    '/tmp/share-1/sub',
  );
  t.same(job.env, { BONDLAB_JOB: `${GUEST_PROJECT_ROOT}/x.json`, PLAIN: 'v a l' });
  // A sibling whose name merely starts like the project is not inside it.
  t.same(
    toGuestJob({ argv: [`${root}-other/x`], cwd: root, shareDir: '/tmp/share-1' }, root).argv,
    [`${root}-other/x`],
  );
});

/** The field an InputError names, or what else was thrown. */
function refusedField(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error instanceof InputError ? error.field : error;
  }
  return 'nothing thrown';
}

void t.test('a job the VM cannot run is refused, naming the field', async (t) => {
  const ok = { argv: ['true'], cwd: root, shareDir: '/tmp/share-1' };
  t.equal(
    refusedField(() => toGuestJob({ ...ok, shareDir: '/tmp' }, root)),
    'shareDir',
  );
  t.equal(
    refusedField(() => toGuestJob({ ...ok, shareDir: 'relative/dir' }, root)),
    'shareDir',
  );
  t.equal(
    refusedField(() => toGuestJob({ ...ok, env: { 'BAD NAME': 'x' } }, root)),
    'env.BAD NAME',
  );
  t.equal(
    refusedField(() => toGuestJob({ ...ok, argv: [] }, root)),
    'argv',
  );
});

// Captured from `vagrant status --machine-readable` (Vagrant 2.3.4, vagrant-libvirt 0.11.2).
const STATUS_NOT_CREATED = `1795663017,bondlab,metadata,provider,libvirt
1795663018,bondlab,provider-name,libvirt
1795663018,bondlab,state,not_created
1795663018,bondlab,state-human-short,not created
1795663018,bondlab,state-human-long,The Libvirt domain is not created. Run \`vagrant up\` to create it.
1795663018,,ui,info,Current machine states:\\n\\nbondlab                   not created (libvirt)\\n\\nThe Libvirt domain is not created. Run \`vagrant up\` to create it.
`;

void t.test('vagrant status --machine-readable is parsed', async (t) => {
  t.same(machineStatus(STATUS_NOT_CREATED, 'bondlab'), {
    state: 'not_created',
    provider: 'libvirt',
  });
  t.equal(machineStatus(STATUS_NOT_CREATED, 'other'), undefined);
  const ui = parseMachineReadable(STATUS_NOT_CREATED).find((l) => l.type === 'ui');
  t.match(ui?.data[1], /^Current machine states:\n\nbondlab/);
  t.same(parseMachineReadable('1,m,state,a%!(VAGRANT_COMMA)b\n')[0]?.data, ['a,b']);
  t.equal(
    machineError(
      '1,,error-exit,Vagrant::Errors::ProviderNotUsable,not usable%!(VAGRANT_COMMA) sorry\\nnext\n',
    ),
    'Vagrant::Errors::ProviderNotUsable: not usable, sorry\nnext',
  );
  t.equal(machineError(STATUS_NOT_CREATED), undefined);
  t.same(
    machineStatus(
      '1700000000,bondlab,provider-name,virtualbox\n1700000000,bondlab,state,running\n',
      'bondlab',
    ),
    { state: 'running', provider: 'virtualbox' },
  );
});

let vagrant: string | undefined;
try {
  vagrant = findVagrant();
} catch (error) {
  if (!(error instanceof BondlabError)) throw error;
}
const noVagrant =
  vagrant === undefined ? 'vagrant is not installed (apt-get install -y vagrant)' : false;

/** Runs the real vagrant against vagrant/Vagrantfile. */
async function runVagrant(args: string[], env: Record<string, string> = {}) {
  return execa(vagrant ?? 'vagrant', args, {
    cwd: vagrantDir,
    env: {
      VAGRANT_CWD: vagrantDir,
      VAGRANT_CHECKPOINT_DISABLE: '1',
      VAGRANT_NO_COLOR: '1',
      ...env,
    },
    reject: false,
    timeout: 120_000,
  });
}

const libvirtPlugin =
  vagrant !== undefined && /vagrant-libvirt/.test((await runVagrant(['plugin', 'list'])).stdout);
const noLibvirt =
  noVagrant !== false
    ? noVagrant
    : libvirtPlugin
      ? false
      : 'the vagrant-libvirt plugin is not installed (apt-get install -y vagrant-libvirt)';

void t.test('vagrant validate accepts the Vagrantfile', { skip: noVagrant }, async (t) => {
  const core = await runVagrant(['validate', '--ignore-provider']);
  t.equal(core.exitCode, 0, core.stderr);
  t.match(core.stdout, /Vagrantfile validated successfully/);

  const cables = await runVagrant(['validate', '--ignore-provider'], {
    BONDLAB_VAGRANT_CABLES: '2',
    BONDLAB_VAGRANT_NIC: 'virtio',
  });
  t.equal(cables.exitCode, 0, cables.stderr);

  if (libvirtPlugin) {
    // With the plugin, the libvirt provider's own checks run too (no libvirt daemon needed).
    const variants: Record<string, string>[] = [
      {},
      { BONDLAB_VAGRANT_CABLES: '2', BONDLAB_VAGRANT_NIC: 'virtio' },
    ];
    for (const env of variants) {
      const lv = await runVagrant(['validate'], { VAGRANT_DEFAULT_PROVIDER: 'libvirt', ...env });
      t.equal(lv.exitCode, 0, `libvirt ${JSON.stringify(env)}: ${lv.stderr}`);
    }
  } else {
    t.comment('vagrant-libvirt is not installed: libvirt provider checks not run');
  }
});

void t.test('the Vagrantfile refuses bad knobs, naming them', { skip: noVagrant }, async (t) => {
  const cables = await runVagrant(['validate', '--ignore-provider'], {
    BONDLAB_VAGRANT_CABLES: '9',
  });
  t.not(cables.exitCode, 0);
  t.match(
    cables.stderr,
    /BONDLAB_VAGRANT_CABLES="9" is not allowed; expected an integer in 0\.\.4/,
  );
  const nic = await runVagrant(['validate', '--ignore-provider'], {
    BONDLAB_VAGRANT_NIC: 'rtl8139',
  });
  t.not(nic.exitCode, 0);
  t.match(nic.stderr, /BONDLAB_VAGRANT_NIC="rtl8139" is not allowed/);
});

void t.test('the real vagrant status names our machine', { skip: noLibvirt }, async (t) => {
  // libvirt answers "not created" without a daemon; VirtualBox needs VBoxManage even for that.
  const status = await runVagrant(['status', 'bondlab', '--machine-readable'], {
    VAGRANT_DEFAULT_PROVIDER: 'libvirt',
  });
  t.equal(status.exitCode, 0, status.stderr);
  const parsed = machineStatus(status.stdout, 'bondlab');
  t.ok(parsed, 'a state for bondlab');
  t.match(parsed?.state, /^[a-z_]+$/);
});

void t.test(
  'no usable provider: the run stops at vagrant status with Vagrant’s reason, nothing left',
  { skip: noVagrant },
  async (t) => {
    const hasVirtualBox = (process.env.PATH ?? '')
      .split(':')
      .some((dir) => dir !== '' && existsSync(join(dir, 'VBoxManage')));
    if (hasVirtualBox) {
      t.comment('VirtualBox is installed here: a real run would start; not run');
      return;
    }
    // Vagrant reads the provider from the environment; VirtualBox is not installed, so it is unusable.
    process.env.VAGRANT_DEFAULT_PROVIDER = 'virtualbox';
    t.teardown(() => {
      delete process.env.VAGRANT_DEFAULT_PROVIDER;
    });
    const share = mkdtempSync(join(tmpdir(), 'bondlab-vagrant-share-'));
    t.teardown(() => {
      rmSync(share, { recursive: true, force: true });
    });
    const groups: number[] = [];
    const error = await withRun(async (ctx) => {
      const track = ctx.trackProcessGroup.bind(ctx);
      ctx.trackProcessGroup = (pgid) => {
        groups.push(pgid);
        return track(pgid);
      };
      return new VagrantKernel().run(ctx, { argv: ['true'], cwd: root, shareDir: share });
    }).catch((e: unknown) => e);
    t.ok(error instanceof CommandError, String(error));
    const e = error as CommandError;
    t.equal(e.code, 'E_COMMAND_FAILED');
    t.match(e.argv, [vagrant, 'status', 'bondlab', '--machine-readable']);
    t.match(e.message, /Vagrant::Errors::ProviderNotUsable/);
    t.match(e.message, /Vagrant could not detect VirtualBox/);
    t.match(e.hint, /usable provider/);
    t.equal(groups.length, 1, 'one vagrant process was started');
    for (const pgid of groups) {
      t.throws(() => process.kill(-pgid, 0), `process group ${pgid} is gone`);
    }
  },
);
