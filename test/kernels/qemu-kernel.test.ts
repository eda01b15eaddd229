import t from 'tap';
import { qemuKernel } from '../../harness/kernels/qemu/qemu-kernel.js';

void t.test('a kernel is a Debian version or a path, labelled as --kernel spells it', async (t) => {
  t.equal(qemuKernel({ version: '6.1.0-56-amd64' }).label, 'qemu:6.1.0-56-amd64');
  t.equal(
    qemuKernel({ path: '/src/linux/arch/x86/boot/bzImage' }).label,
    'qemu:/src/linux/arch/x86/boot/bzImage',
  );
  t.equal(qemuKernel().label, 'qemu');
  t.equal(qemuKernel().kind, 'qemu');
});

void t.test('options are checked where they enter, naming the field', async (t) => {
  t.throws(() => qemuKernel({ version: '6.1.0-56-amd64', path: '/x' }), {
    code: 'E_INPUT',
    field: 'kernel',
  });
  t.throws(() => qemuKernel({ version: 'latest' }), { field: 'kernel', code: 'E_INPUT' });
  t.throws(() => qemuKernel({}, { memoryMb: 64 }), { code: 'E_INPUT', field: 'memoryMb' });
  t.throws(() => qemuKernel({}, { cpus: 0 }), { code: 'E_INPUT', field: 'cpus' });
  t.throws(() => qemuKernel({}, { bootTimeoutMs: -1 }), {
    code: 'E_INPUT',
    field: 'bootTimeoutMs',
  });
  t.throws(() => qemuKernel({}, { append: ['two words'] }), {
    code: 'E_INPUT',
    field: 'append[0]',
  });
  t.throws(() => qemuKernel({}, { append: ['ok=1', 'quote"d'] }), {
    code: 'E_INPUT',
    field: 'append[1]',
  });
  t.throws(() => qemuKernel({ version: '6.1.0-56-amd64' }, { modules: '/lib' }), {
    field: 'modules',
    message: /only a self-built kernel/,
  });
});
