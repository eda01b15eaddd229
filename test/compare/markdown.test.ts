import t from 'tap';
import { readFileSync } from 'node:fs';
import { comparisonMarkdown } from '../../harness/compare/markdown.js';
import { EXPECTED, fixture } from './markdown-expected.js';

// After a deliberate change to the report: `npx tsx test/compare/markdown-expected.ts`, then
// read the diff of comparison.expected.md before committing it.

void t.test(
  'the Markdown of the stored comparison is the stored expectation, byte for byte',
  async (t) => {
    t.equal(comparisonMarkdown(fixture()), readFileSync(EXPECTED, 'utf8'));
  },
);

void t.test('regressions first, unchanged folded, a pipe in a value escaped', async (t) => {
  const md = comparisonMarkdown(fixture());
  const lines = md.split('\n');
  t.match(lines[0], /^### Regression: 1 of 7 metrics got worse, 1 improved$/, 'a one-line verdict');
  const order = [
    '**regression**',
    '**improvement**',
    '**missing**',
    '**inconclusive**',
    '<details>',
  ];
  const at = order.map((s) => md.indexOf(s));
  t.same(
    at,
    [...at].sort((a, b) => a - b),
    'regression, improvement, missing, inconclusive, then the fold',
  );
  t.match(md, '| 8 \\| 2    |', 'the pipe cannot end the cell');
  for (const line of lines.filter((l) => l.startsWith('| '))) {
    const cells = line.replace(/\\\|/g, '').split('|').length;
    t.ok(cells === 6 || cells === 10 || cells === 11, `a whole row: ${line.slice(0, 50)}`);
  }
});

void t.test('forced: said in the headline and in a warning', async (t) => {
  const c = fixture();
  c.forced = true;
  c.environment.unshift({
    field: 'kernel.kind',
    baseline: 'uml',
    candidate: 'host',
    voids: true,
    severity: 'voids',
  });
  const md = comparisonMarkdown(c);
  t.match(md, /^### Forced, not valid: Regression/);
  t.match(md, '> **Warning:** the environments differ in kernel.kind (uml → host)');
});

void t.test('nothing changed: the headline says so', async (t) => {
  const c = fixture();
  c.metrics = c.metrics.filter((m) => m.verdict === 'unchanged');
  c.counts = { regression: 0, improvement: 0, unchanged: 3, inconclusive: 0, missing: 0 };
  t.match(comparisonMarkdown(c), /^### No regression: none of 3 metrics got worse or better\n/);
});
