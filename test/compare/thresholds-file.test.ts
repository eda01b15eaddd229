import t from 'tap';
import { writeFileSync } from 'node:fs';
import tmp from 'tmp';
import { defaultThresholds } from '../../harness/compare/defaults.js';
import {
  globMatches,
  parseThresholds,
  readThresholdsFile,
  thresholdsFor,
} from '../../harness/compare/thresholds-file.js';
import { InputError } from '../../harness/errors.js';

void t.test('defaults by unit; a unit no one knows gets 10% and no floor', async (t) => {
  t.same(defaultThresholds('ms'), { relative: 0.2, absolute: 10, alpha: 0.05 });
  t.same(defaultThresholds('Mbit/s'), { relative: 0.05, absolute: 2, alpha: 0.05 });
  t.same(defaultThresholds('probes'), { relative: 0, absolute: 20, alpha: 0.05 });
  t.same(defaultThresholds('furlongs'), { relative: 0.1, absolute: 0, alpha: 0.05 });
});

void t.test('globs: * and ?, everything else literal (a case name has brackets)', async (t) => {
  t.ok(globMatches('failover.*', 'failover.detection'));
  t.notOk(globMatches('failover.*', 'failover-back.detection'), 'the dot is a dot');
  t.ok(globMatches('*.detection', 'failover-back.detection'));
  t.ok(globMatches('modes[mode=?]', 'modes[mode=1]'));
  t.notOk(globMatches('modes[mode=1]', 'modes[mode=2]'), 'brackets are not a class');
});

void t.test('rules apply in order: defaults, metrics, then cases', async (t) => {
  const rules = parseThresholds({
    metrics: {
      '*': { alpha: 0.01 },
      'failover.*': { relative: 0.1 },
      'failover.detection': { absolute: 2 },
    },
    cases: { 'modes[mode=1]': { 'failover.*': { relative: 0.5 } } },
  });
  t.same(thresholdsFor(rules, 'seed-failover', 'failover.detection', 'ms'), {
    relative: 0.1,
    absolute: 2,
    alpha: 0.01,
  });
  t.same(thresholdsFor(rules, 'modes[mode=1]', 'failover.detection', 'ms'), {
    relative: 0.5,
    absolute: 2,
    alpha: 0.01,
  });
  t.same(thresholdsFor(rules, 'seed-failover', 'throughput.mbit', 'Mbit/s'), {
    relative: 0.05,
    absolute: 2,
    alpha: 0.01,
  });
  t.same(thresholdsFor([], 'x', 'failover.lost', 'probes'), defaultThresholds('probes'));
});

void t.test('a bad file: InputError naming the key, its value and what is allowed', async (t) => {
  const bad: [unknown, string][] = [
    [[], 'thresholds: [] is not allowed; expected an object'],
    [{ metric: {} }, 'thresholds: metric: {} is not allowed; unknown key; allowed: metrics, cases'],
    [
      { metrics: { 'failover.*': { relative: -0.1 } } },
      'thresholds: metrics["failover.*"].relative: -0.1 is not allowed; expected a number >= 0',
    ],
    [
      { metrics: { 'failover.*': { absolute: '5' } } },
      'thresholds: metrics["failover.*"].absolute: "5" is not allowed; expected a number >= 0',
    ],
    [
      { metrics: { 'failover.*': { relativ: 0.1 } } },
      'thresholds: metrics["failover.*"].relativ: 0.1 is not allowed; unknown key; allowed: relative, absolute, alpha',
    ],
    [
      { metrics: { x: { alpha: 1 } } },
      'thresholds: metrics.x.alpha: 1 is not allowed; expected a number between 0 and 1',
    ],
    [{ metrics: { x: 0.1 } }, 'thresholds: metrics.x: 0.1 is not allowed; expected an object'],
    [
      { cases: { 'modes[mode=1]': { 'throughput.mbit': { absolute: null } } } },
      'thresholds: cases["modes[mode=1]"]["throughput.mbit"].absolute: null is not allowed',
    ],
    [{ cases: { seed: [] } }, 'thresholds: cases.seed: [] is not allowed; expected an object'],
  ];
  for (const [doc, message] of bad) {
    t.throws(() => parseThresholds(doc), InputError, JSON.stringify(doc));
    try {
      parseThresholds(doc);
    } catch (error) {
      t.equal((error as Error).message.slice(0, message.length), message);
    }
  }
});

void t.test('readThresholdsFile: unreadable or not JSON is an InputError too', async (t) => {
  const dir = tmp.dirSync({ unsafeCleanup: true });
  t.teardown(() => {
    dir.removeCallback();
  });
  const file = `${dir.name}/t.json`;
  t.throws(() => readThresholdsFile(file), { field: '--thresholds', message: /readable file/ });
  writeFileSync(file, '{"metrics": {');
  t.throws(() => readThresholdsFile(file), { field: '--thresholds', message: /expected JSON/ });
  writeFileSync(file, '{"metrics": {"*": {"alpha": 0.01}}}');
  t.same(readThresholdsFile(file), [{ case: undefined, metric: '*', set: { alpha: 0.01 } }]);
});
