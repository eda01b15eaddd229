import t from 'tap';
import { InputError } from '../../harness/errors.js';
import { loadCatalog, selectScenarios } from '../../harness/scenario/catalog.js';
import { bondedPair, defineScenario } from '../../harness/scenario/index.js';
import { planCases } from '../../harness/scenario/plan.js';
import { checkExpectation } from '../../harness/scenario/runner.js';
import type { ScenarioCase } from '../../harness/scenario/types.js';

const failover = { kind: 'failover', fault: { kind: 'carrier-loss' } } as const;
const scenario = (c: Partial<ScenarioCase>) =>
  defineScenario({
    name: 'probe-case',
    summary: 'x',
    build: () => ({ topology: bondedPair(), measure: [failover], ...c }),
  });

void t.test('the catalog loads, every case plans, names are unique', async (t) => {
  const catalog = await loadCatalog();
  t.ok(catalog.length >= 5, `${catalog.length} scenarios`);
  const cases = planCases(catalog);
  t.equal(new Set(cases.map((c) => c.name)).size, cases.length, 'case names are unique');
  const modes = new Set(cases.flatMap((c) => c.modes));
  t.same([...modes].sort(), [0, 1, 2, 3, 4, 5, 6], 'every bonding mode is covered');
  t.same(
    selectScenarios(catalog, ['seed-*'])
      .map((s) => s.name)
      .sort(),
    catalog
      .filter((s) => s.name.startsWith('seed-'))
      .map((s) => s.name)
      .sort(),
  );
});

void t.test(
  'a scenario that cannot run is refused before anything runs, naming the field',
  async (t) => {
    const refuse = (c: Partial<ScenarioCase>, field: RegExp): void => {
      try {
        planCases([scenario(c)]);
        t.fail(`accepted; expected a refusal of ${String(field)}`);
      } catch (error) {
        t.ok(error instanceof InputError, 'an InputError');
        t.match((error as InputError).field, field);
      }
    };
    refuse({ measure: [] }, /^probe-case\.measure$/);
    refuse({ measure: [failover, failover] }, /^probe-case\.measure$/);
    refuse(
      { expect: [{ metric: 'failover.nosuch', op: '<=', value: 1, says: 'x' }] },
      /expect\[0\]\.metric/,
    );
    refuse(
      { topology: bondedPair({ mode: 'active-backup', primary: 'eth9' }) },
      /^probe-case: .*primary$/,
    );
  },
);

void t.test('unknown names and bad globs are input errors', async (t) => {
  const catalog = await loadCatalog();
  t.throws(() => selectScenarios(catalog, ['nosuch']), InputError);
  t.throws(() => selectScenarios(catalog, ['../etc']), InputError);
  t.throws(() => selectScenarios(catalog, ['seed; rm -rf /']), InputError);
});

void t.test('an expectation is checked against the worst repetition', async (t) => {
  const e = { metric: 'failover.detection', says: 'x' };
  t.match(checkExpectation({ ...e, op: '<=', value: 150 }, [40, 160, 90]), {
    measured: 160,
    pass: false,
  });
  t.match(checkExpectation({ ...e, op: '<=', value: 150 }, [40, 90]), { measured: 90, pass: true });
  t.match(checkExpectation({ ...e, op: '>=', value: 100 }, [120, 99]), {
    measured: 99,
    pass: false,
  });
  t.match(checkExpectation({ ...e, op: '==', value: 0 }, [0, 0, 2]), { measured: 2, pass: false });
  t.match(checkExpectation({ ...e, op: '==', value: 0 }, [0, 0]), { measured: 0, pass: true });
  t.match(checkExpectation({ ...e, op: '<=', value: 1 }, []), { measured: undefined, pass: false });
});
