import t from 'tap';
import { Teardown } from '../../harness/lifecycle/teardown.js';

void t.test('steps run newest first', async (t) => {
  const td = new Teardown();
  const order: string[] = [];
  for (const name of ['a', 'b', 'c']) td.defer(name, () => void order.push(name));
  t.equal(td.pending, 3);
  t.same(await td.unwind(), []);
  t.same(order, ['c', 'b', 'a']);
  t.equal(td.pending, 0);
  t.same(await td.unwind(), [], 'a second unwind has nothing left to do');
  t.same(order, ['c', 'b', 'a']);
});

void t.test('a failing step is logged and the others still run', async (t) => {
  const td = new Teardown();
  const order: string[] = [];
  const logged: string[] = [];
  td.defer('a', () => void order.push('a'));
  td.defer('broken', async () => {
    await Promise.resolve();
    throw new Error('cannot undo');
  });
  td.defer('not an Error', () => {
    throw 'a string' as unknown as Error;
  });
  td.defer('c', () => void order.push('c'));
  const errors = await td.unwind((line) => logged.push(line));
  t.same(order, ['c', 'a']);
  t.same(
    errors.map((e) => e.message),
    ['a string', 'cannot undo'],
  );
  t.match(logged, [/teardown "not an Error" failed: a string/, /teardown "broken" failed:/]);
});

void t.test('a dropped step does not run', async (t) => {
  const td = new Teardown();
  const order: string[] = [];
  td.defer('a', () => void order.push('a'));
  const drop = td.defer('b', () => void order.push('b'));
  drop();
  drop();
  t.equal(td.pending, 1);
  await td.unwind();
  t.same(order, ['a']);
});

void t.test('concurrent unwinds share one pass: each step runs once', async (t) => {
  const td = new Teardown();
  let runs = 0;
  td.defer('slow', async () => {
    runs++;
    await new Promise((resolve) => setImmediate(resolve));
  });
  const [x, y] = await Promise.all([td.unwind(), td.unwind()]);
  t.equal(runs, 1);
  t.same(x, []);
  t.equal(x, y, 'the same result');
});

void t.test('a step registered during unwinding still runs', async (t) => {
  const td = new Teardown();
  const order: string[] = [];
  td.defer('outer', () => {
    order.push('outer');
    td.defer('late', () => void order.push('late'));
  });
  await td.unwind();
  t.same(order, ['outer', 'late']);
});
