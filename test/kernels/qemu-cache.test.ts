import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  prepareOnce,
  qemuCacheDir,
  withTempDir,
  writeFileAtomic,
} from '../../harness/kernels/qemu/cache.js';

/** A pid that no process has now: one that has exited and been reaped. */
function deadPid(): number {
  const child = spawnSync('true');
  return child.pid;
}

void t.test(
  'the cache folder follows BONDLAB_CACHE, then XDG_CACHE_HOME, then ~/.cache',
  async (t) => {
    const saved = { cache: process.env.BONDLAB_CACHE, xdg: process.env.XDG_CACHE_HOME };
    t.teardown(() => {
      if (saved.cache === undefined) delete process.env.BONDLAB_CACHE;
      else process.env.BONDLAB_CACHE = saved.cache;
      if (saved.xdg === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved.xdg;
    });
    process.env.BONDLAB_CACHE = '/somewhere';
    process.env.XDG_CACHE_HOME = '/xdg';
    t.equal(qemuCacheDir(), '/somewhere/qemu');
    delete process.env.BONDLAB_CACHE;
    t.equal(qemuCacheDir(), '/xdg/bondlab/qemu');
    delete process.env.XDG_CACHE_HOME;
    t.match(qemuCacheDir(), /\/\.cache\/bondlab\/qemu$/);
  },
);

void t.test('a folder is prepared once, and only a complete one appears', async (t) => {
  const root = t.testdir();
  const dir = join(root, 'kernel');
  let builds = 0;
  const build = async (temp: string): Promise<void> => {
    builds++;
    t.notOk(existsSync(dir), 'the final folder does not exist while building');
    writeFileSync(join(temp, 'kernel.json'), '{}');
  };
  t.equal(await prepareOnce(dir, build), true);
  t.equal(await prepareOnce(dir, build), false);
  t.equal(builds, 1);
  t.same(readdirSync(root), ['kernel'], 'no temp folder is left');
  t.same(readdirSync(dir), ['kernel.json']);
});

void t.test('a failed prepare leaves nothing', async (t) => {
  const root = t.testdir();
  const dir = join(root, 'kernel');
  await t.rejects(
    prepareOnce(dir, async (temp) => {
      writeFileSync(join(temp, 'half'), 'x');
      throw new Error('download failed');
    }),
    /download failed/,
  );
  t.same(readdirSync(root), []);
});

void t.test('two prepares at once: one wins, the other drops its copy', async (t) => {
  const root = t.testdir();
  const dir = join(root, 'kernel');
  const results = await Promise.all(
    ['a', 'b'].map((name) =>
      prepareOnce(dir, async (temp) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        writeFileSync(join(temp, 'by'), name);
      }),
    ),
  );
  t.same(results.sort(), [false, true]);
  t.same(readdirSync(root), ['kernel']);
  t.match(readFileSync(join(dir, 'by'), 'utf8'), /^[ab]$/);
});

void t.test(
  "a killed prepare's temp folder is removed by the next one; a live one's is kept",
  async (t) => {
    const root = t.testdir();
    const dir = join(root, 'kernel');
    const abandoned = `${dir}.tmp-${deadPid()}-0000`;
    const live = `${dir}.tmp-${process.pid}-1111`;
    mkdirSync(abandoned);
    mkdirSync(live);
    await prepareOnce(dir, async () => undefined);
    t.same(readdirSync(root).sort(), ['kernel', 'kernel.tmp-' + `${process.pid}-1111`]);
  },
);

void t.test('files are written atomically; temp folders are removed after use', async (t) => {
  const root = t.testdir();
  const file = join(root, 'initramfs.cpio');
  writeFileAtomic(file, 'one');
  writeFileAtomic(file, 'two');
  t.equal(readFileSync(file, 'utf8'), 'two');
  let seen = '';
  await t.rejects(
    withTempDir(file, async (dir) => {
      seen = dir;
      throw new Error('boom');
    }),
  );
  t.notOk(existsSync(seen));
  t.same(readdirSync(root), ['initramfs.cpio']);
});
