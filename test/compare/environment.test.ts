import t from 'tap';
import { environmentDifferences } from '../../harness/compare/environment.js';
import type { RunFile } from '../../harness/results/run-file.js';
import { runA, runB } from './plant.js';

function withEnvironment(run: RunFile, change: (r: RunFile) => void): RunFile {
  const copy = structuredClone(run);
  change(copy);
  return copy;
}

void t.test('two runs on one machine, one commit: nothing differs', async (t) => {
  t.same(environmentDifferences(runA(), runB()), []);
});

void t.test('another kernel kind voids the comparison', async (t) => {
  const host = withEnvironment(runB(), (r) => {
    r.environment.kernel = { kind: 'host', label: 'host', release: '6.12.48+deb13-cloud-amd64' };
  });
  const diffs = environmentDifferences(runA(), host);
  t.match(diffs[0], { field: 'kernel.kind', baseline: 'uml', candidate: 'host', voids: true });
  t.same(
    diffs.filter((d) => d.voids).map((d) => d.field),
    ['kernel.kind'],
    'the release and label that come with it are reported, not voiding',
  );
  t.match(
    diffs.find((d) => d.field === 'kernel.release'),
    { severity: 'info', voids: false },
  );
});

void t.test('another release is the point: info, never voiding', async (t) => {
  const newer = withEnvironment(runB(), (r) => {
    r.environment.kernel.release = '6.6.63';
  });
  t.same(environmentDifferences(runA(), newer), [
    {
      field: 'kernel.release',
      baseline: runA().environment.kernel.release,
      candidate: '6.6.63',
      voids: false,
      severity: 'info',
      why: 'the kernel under test changed (usually the point of the comparison)',
    },
  ]);
});

void t.test('CPU, tools, repeat and a dirty tree: warnings', async (t) => {
  const other = withEnvironment(runB(), (r) => {
    r.environment.cpu = { model: 'Intel Xeon', count: 64 };
    r.environment.versions.iperf3 = undefined;
    r.environment.versions.node = 'v22.1.0';
    r.environment.git = { commit: 'f'.repeat(40), dirty: true };
    r.repeat = 3;
  });
  const diffs = environmentDifferences(runA(), other);
  const fields = (severity: string): string[] =>
    diffs.filter((d) => d.severity === severity).map((d) => d.field);
  t.same(fields('voids'), []);
  t.same(fields('warning'), [
    'cpu.model',
    'cpu.count',
    'versions.node',
    'versions.iperf3',
    'repeat',
    'git.dirty',
  ]);
  t.same(fields('info'), ['git.commit']);
  t.match(
    diffs.find((d) => d.field === 'versions.iperf3'),
    { candidate: 'missing' },
  );
  t.match(
    diffs.find((d) => d.field === 'git.dirty'),
    {
      baseline: 'clean',
      candidate: 'uncommitted changes',
    },
  );
});

void t.test('a dirty tree is reported even when both runs had one', async (t) => {
  const dirty = (r: RunFile): RunFile =>
    withEnvironment(r, (x) => {
      if (x.environment.git !== undefined) x.environment.git.dirty = true;
    });
  t.match(environmentDifferences(dirty(runA()), dirty(runB())), [
    { field: 'git.dirty', severity: 'warning' },
  ]);
});

void t.test('an unfinished run: a warning', async (t) => {
  const died = withEnvironment(runB(), (r) => {
    r.status = 'running';
  });
  t.match(environmentDifferences(runA(), died), [
    { field: 'status', baseline: 'complete', candidate: 'running', severity: 'warning' },
  ]);
});
