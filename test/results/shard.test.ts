/**
 * --shard i/n: what it accepts, and how it splits the whole catalog's plan for n = 1..5: the
 * union of the shards is the plan, they are disjoint and balanced, and the split is the same
 * every time (it depends on the plan alone).
 */
import t from 'tap';
import { InputError } from '../../harness/errors.js';
import { MAX_SHARDS, parseShard, shardCases } from '../../harness/results/shard.js';
import { loadCatalog } from '../../harness/scenario/catalog.js';
import { planCases } from '../../harness/scenario/plan.js';

void t.test('parseShard takes i/n with 1 <= i <= n <= MAX_SHARDS', async (t) => {
  t.same(parseShard('1/1'), { index: 1, count: 1 });
  t.same(parseShard('3/4'), { index: 3, count: 4 });
  t.same(parseShard(`${MAX_SHARDS}/${MAX_SHARDS}`), { index: MAX_SHARDS, count: MAX_SHARDS });
  const refused: [string, RegExp][] = [
    ['0/2', /"0\/2" is not allowed; expected i from 1 to 2/],
    ['3/2', /"3\/2" is not allowed; expected i from 1 to 2/],
    ['a/b', /"a\/b" is not allowed; expected i\/n/],
    ['1/0', /"1\/0" is not allowed; expected n, the number of shards, from 1 to 100/],
    ['1/1000', /"1\/1000" is not allowed; expected n, the number of shards, from 1 to 100/],
    ['1', /expected i\/n/],
    ['-1/2', /expected i\/n/],
    ['1.5/2', /expected i\/n/],
  ];
  for (const [text, message] of refused) {
    t.throws(() => parseShard(text), InputError, text);
    t.throws(() => parseShard(text), { message: /^--shard: / }, `${text}: names --shard`);
    t.throws(() => parseShard(text), { message }, `${text}: says what is allowed`);
  }
});

void t.test('the catalog split n ways: a partition of the plan, balanced, deterministic', async (t) => {
  const plan = planCases(await loadCatalog()).map((c) => c.name);
  t.ok(plan.length > 5, `the catalog plans ${plan.length} cases`);
  const again = planCases(await loadCatalog()).map((c) => c.name);
  for (let n = 1; n <= 5; n++) {
    const shards = Array.from({ length: n }, (_, i) => shardCases(plan, { index: i + 1, count: n }));
    const union = shards.flat();
    t.equal(union.length, plan.length, `n=${n}: no case twice`);
    t.same([...union].sort(), [...plan].sort(), `n=${n}: every case in some shard`);
    const sizes = shards.map((s) => s.length);
    t.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `n=${n}: balanced (${sizes.join(', ')})`);
    for (const [i, s] of shards.entries()) {
      t.same(s, shardCases(again, { index: i + 1, count: n }), `n=${n}: shard ${i + 1} again`);
      const order = s.map((name) => plan.indexOf(name));
      t.same(order, [...order].sort((a, b) => a - b), `n=${n}: shard ${i + 1} in planned order`);
    }
  }
  t.same(shardCases(['a', 'b'], { index: 3, count: 3 }), [], 'a shard past the last case is empty');
});
