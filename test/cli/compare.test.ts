import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tmp from 'tmp';
import type { Comparison } from '../../harness/compare/types.js';
import { cli, ensureBuilt } from '../fixtures/host.js';
import { plant, RUN_A, RUN_B, runA, runB, writeRun } from '../compare/plant.js';

ensureBuilt();

/** A fresh folder for the reports, removed when the test ends. */
function outDir(t: Tap): string {
  const dir = tmp.dirSync({ prefix: 'bondlab-compare-out-', unsafeCleanup: true });
  t.teardown(() => {
    dir.removeCallback();
  });
  return dir.name;
}
type Tap = Parameters<typeof writeRun>[0];

void t.test('two runs of the same code: exit 0, no regression', async (t) => {
  const res = await cli(t, ['compare', RUN_A, RUN_B]);
  t.equal(res.code, 0, res.stderr);
  t.match(
    res.stdout,
    /^No regression: none of 37 metrics got worse or better \(0 regressions, 0 improvements/m,
  );
  t.match(res.stdout, `baseline:  ${RUN_A}`);
});

void t.test('a planted regression: exit 1, the metrics named, every report written', async (t) => {
  // +100 ms on every outage sample of run b (why that much: test/compare/realistic.test.ts).
  const slower = writeRun(
    t,
    plant(runB(), '*.outage', (x) => x + 100),
  );
  const out = outDir(t);
  const res = await cli(t, [
    'compare',
    RUN_A,
    join(slower, 'run.json'),
    '--markdown',
    join(out, 'compare.md'),
    '--json',
    join(out, 'compare.json'),
    '--html',
    join(out, 'compare.html'),
  ]);
  t.equal(res.code, 1, res.stderr);
  t.match(
    res.stdout,
    /^ {2}REGRESSION +failover\.outage +45\.0 ms → 131 ms +\+85\.8 ms \(\+191%\) +p 0\.000155 q 0\.00124$/m,
  );
  t.match(res.stdout, /^Regression: 3 of 37 metrics got worse \(3 regressions, 0 improvements/m);
  const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as Comparison;
  t.same(
    json.metrics.filter((m) => m.verdict === 'regression').map((m) => `${m.case} ${m.metric}`),
    [
      'seed-failback failover.outage',
      'seed-failover failover.outage',
      'seed-failover failover-back.outage',
    ],
    'the planted metrics, and only they',
  );
  t.match(readFileSync(join(out, 'compare.md'), 'utf8'), /^### Regression: /);
  t.match(readFileSync(join(out, 'compare.html'), 'utf8'), /^<!doctype html>/i);
  t.match(res.stderr, `markdown: ${join(out, 'compare.md')}`);
});

void t.test(
  'a thresholds file moves the line: the same regression within it is not one',
  async (t) => {
    const slower = writeRun(
      t,
      plant(runB(), '*.outage', (x) => x + 100),
    );
    const out = outDir(t);
    const thresholds = join(out, 'thresholds.json');
    writeFileSync(thresholds, JSON.stringify({ metrics: { '*.outage': { absolute: 200 } } }));
    const res = await cli(t, ['compare', RUN_A, slower, '--thresholds', thresholds]);
    t.equal(res.code, 0, res.stderr);
    t.match(res.stdout, /^No regression: none of 37 metrics got worse or better/m);
  },
);

void t.test('a planted improvement: reported, exit 0', async (t) => {
  // The baseline 100 ms slower: the candidate improved on it.
  const slowerBase = writeRun(
    t,
    plant(runA(), '*.outage', (x) => x + 100),
  );
  const res = await cli(t, ['compare', slowerBase, RUN_B]);
  t.equal(res.code, 0, res.stderr);
  t.match(res.stdout, /^ {2}IMPROVEMENT +failover\.outage /m);
  t.match(res.stdout, /^No regression: 3 of 37 metrics improved/m);
});

void t.test(
  'UML against host: refused with exit 2, nothing written; --force compares',
  async (t) => {
    const host = runB();
    host.environment.kernel = { kind: 'host', label: 'host', release: '6.12.48+deb13-cloud-amd64' };
    const dir = writeRun(t, host);
    const out = outDir(t);
    const json = join(out, 'compare.json');
    const refused = await cli(t, ['compare', RUN_A, dir, '--json', json]);
    t.equal(refused.code, 2);
    t.match(refused.stderr, 'bondlab: environment: "kernel.kind (uml → host)" is not allowed');
    t.match(refused.stderr, '--force compares anyway');
    t.equal(refused.stdout, '', 'no report');
    t.notOk(existsSync(json), 'no file written');
    const forced = await cli(t, ['compare', RUN_A, dir, '--json', json, '--force']);
    t.equal(forced.code, 0, forced.stderr);
    t.match(forced.stderr, 'WARNING: the environments differ in kernel.kind (uml → host)');
    t.match(forced.stdout, /^FORCED: No regression/m);
    t.equal((JSON.parse(readFileSync(json, 'utf8')) as Comparison).forced, true);
  },
);

void t.test('another kernel release: compared, and reported', async (t) => {
  const newer = runB();
  newer.environment.kernel.release = '6.6.63';
  const res = await cli(t, ['compare', RUN_A, writeRun(t, newer)]);
  t.equal(res.code, 0, res.stderr);
  t.match(
    res.stdout,
    /^ {2}info +kernel\.release 6\.1\.\d+ → 6\.6\.63: the kernel under test changed/m,
  );
});

void t.test('bad input: exit 2, the field named, nothing written', async (t) => {
  const out = outDir(t);
  const notRun = join(out, 'not-a-run.json');
  writeFileSync(notRun, '{"version": 2, "label": "x"}');
  const noVersion = join(out, 'other.json');
  writeFileSync(noVersion, '{"hello": "world"}');
  const badSamples = runB();
  const metric = badSamples.cases[0]?.metrics[0];
  if (metric !== undefined) (metric.samples as unknown[])[1] = 'fast';
  const badSamplesDir = writeRun(t, badSamples);
  const thresholds = join(out, 'thresholds.json');
  writeFileSync(thresholds, '{"metrics": {"failover.*": {"relative": -0.1}}}');
  const unknownKey = join(out, 'unknown.json');
  writeFileSync(unknownKey, '{"metrics": {"failover.*": {"relatve": 0.1}}}');
  const json = join(out, 'compare.json');
  const md = join(out, 'compare.md');
  const cases: [string[], RegExp | string][] = [
    [[RUN_A], 'bondlab: BASE CAND: '],
    [[RUN_A, join(out, 'nowhere')], `bondlab: run: "${join(out, 'nowhere')}" is not allowed`],
    [[RUN_A, noVersion], `bondlab: ${noVersion}: version: undefined is not allowed`],
    [[RUN_A, notRun], new RegExp(`^bondlab: ${notRun}: \\w+: undefined is not allowed`)],
    [[RUN_A, badSamplesDir], /: cases\[0\]\.metrics\[0\]\.samples\[1\]: "fast" is not allowed/],
    [
      [RUN_A, RUN_B, '--thresholds', thresholds],
      `bondlab: --thresholds ${thresholds}: metrics["failover.*"].relative: -0.1 is not allowed; expected a number >= 0`,
    ],
    [
      [RUN_A, RUN_B, '--thresholds', unknownKey],
      `metrics["failover.*"].relatve: 0.1 is not allowed; unknown key; allowed: relative, absolute, alpha`,
    ],
    [[RUN_A, RUN_B, '--thresholds', join(out, 'none.json')], 'bondlab: --thresholds: '],
    [[RUN_A, RUN_B, '--json', join(out, 'no', 'such', 'dir.json')], 'bondlab: --json: '],
    [[RUN_A, RUN_B, '--json', out], 'expected a file to write, not a folder'],
  ];
  for (const [args, message] of cases) {
    const res = await cli(t, ['compare', ...args, '--markdown', md]);
    t.equal(res.code, 2, args.join(' '));
    t.match(res.stderr, message, args.join(' '));
    t.notOk(existsSync(md) || existsSync(json), 'nothing written');
  }
});
