import t from 'tap';
import { InputError } from '../../harness/errors.js';
import { bondedPair, defineScenario } from '../../harness/scenario/index.js';
import { caseName, sweepCases } from '../../harness/scenario/define.js';

void t.test('a sweep expands to every combination, the last parameter fastest', async (t) => {
  t.same(sweepCases({}), [{}]);
  t.same(sweepCases({ mode: [0, 1], miimon: [50, 100] }), [
    { mode: 0, miimon: 50 },
    { mode: 0, miimon: 100 },
    { mode: 1, miimon: 50 },
    { mode: 1, miimon: 100 },
  ]);
  t.equal(caseName('modes', { mode: 1 }), 'modes[mode=1]');
  t.equal(caseName('seed', {}), 'seed');
});

void t.test('defineScenario checks what it is given', async (t) => {
  const build = () => ({ topology: bondedPair(), measure: [] });
  const s = defineScenario({ name: 'ok-name', summary: 'fine', sweep: { mode: [1, 4] }, build });
  t.same(s.sweep, { mode: [1, 4] });
  t.throws(() => defineScenario({ name: 'Bad Name', summary: 'x', build }), InputError);
  t.throws(() => defineScenario({ name: 'a/b', summary: 'x', build }), InputError);
  t.throws(() => defineScenario({ name: 'ok', summary: 'two\nlines', build }), InputError);
  t.throws(() => defineScenario({ name: 'ok', summary: '', build }), InputError);
  t.throws(
    () => defineScenario({ name: 'ok', summary: 'x', sweep: { mode: [] }, build }),
    InputError,
  );
});
