import t from 'tap';
import { readFileSync } from 'node:fs';
import { runMarkdown } from '../../harness/report/markdown.js';
import { mdBlock, mdCode, mdText } from '../../harness/report/markdown-text.js';
import { expectedPath, fixture, FIXTURES } from './markdown-expected.js';

// After a deliberate change to the report: `npx tsx test/report/markdown-expected.ts`, then read
// the diff of test/report/*.expected.md before committing it.

const HOSTILE = '<script>alert("x")</script> | `tick` *bold* [link](http://x) &amp;';

for (const name of FIXTURES) {
  void t.test(`${name}: the Markdown is the stored expectation, byte for byte`, async (t) => {
    t.equal(runMarkdown(fixture(name)), readFileSync(expectedPath(name), 'utf8'));
  });
}

/** The stored run with its one case failing a known bound (whatever the stored run measured). */
function failing() {
  const run = fixture('run');
  const c = run.cases[0];
  const m = c?.metrics.find((x) => x.name === 'failover.slave-down');
  const e = c?.expectations.find((x) => x.metric === 'failover.slave-down');
  if (c === undefined || m?.summary === undefined || e === undefined) {
    throw new Error('fixture: no failover.slave-down expectation');
  }
  c.status = 'failed';
  m.summary = { ...m.summary, median: 263.4, n: 1, min: 263.4, max: 263.4 };
  Object.assign(e, { measured: 263.4, value: 200, op: '<=', pass: false, says: 'detects fast' });
  return run;
}

void t.test('the headline, the environment, the cases, what failed', async (t) => {
  const run = failing();
  const md = runMarkdown(run);
  const k = run.environment.kernel;
  t.match(md, /^## Failed: bondlab, 0 passed, 1 failed\n/, 'the verdict first');
  t.match(md, `**${run.status}** · 1 case · ${k.label} ${k.release} · `, 'status, count, kernel');
  t.match(md, `\n> **Environment** · kernel ${k.kind}, ${k.label}, release ${k.release} · cpu `);
  t.match(md, /^\| \*\*failed\*\* +\| `modes\[mode=1\]` \|/m, 'a row per case');
  t.match(md, /failover\.slave-down 263 ms/, 'key metrics with units');
  t.match(
    md,
    /^- `modes\[mode=1\]`: detects fast: failover\.slave-down measured 263 ms, bound <= 200 ms$/m,
    'the failed expectation: says, measured, bound',
  );
  const err = runMarkdown(fixture('error-run'));
  t.match(
    err,
    /^### Errors\n\n- `modes\[mode=1\]` \(error\):\n\n {2}```\n {2}no "Server listening"/m,
  );
});

void t.test('several repetitions: median [min–max]', async (t) => {
  const run = failing();
  run.repeat = 3;
  const m = run.cases[0]?.metrics.find((x) => x.name === 'failover.slave-down');
  if (m?.summary === undefined) throw new Error('fixture: no failover.slave-down');
  m.summary = { ...m.summary, n: 3, min: 250.5, max: 1012 };
  const md = runMarkdown(run);
  t.match(md, 'Key metrics: median [min–max] over 3 repetitions');
  t.match(md, 'failover.slave-down 263 ms [251–1012]');
  t.match(md, 'measured 263 ms (the worst repetition; median 263 ms [251–1012]), bound <= 200 ms');
});

void t.test('an interrupted run says why and what did not run', async (t) => {
  const run = fixture('run');
  run.status = 'interrupted';
  run.stopReason = 'interrupted by SIGINT';
  run.planned = [...run.planned, 'modes[mode=2]'];
  const md = runMarkdown(run);
  t.match(md, '**interrupted** · 1 case of 2 planned');
  t.match(md, '\nStopped: interrupted by SIGINT\n');
  t.match(md, '\nDid not run: `modes[mode=2]`\n');
});

void t.test('a run.json still saying running: the report says what that can mean', async (t) => {
  const run = fixture('run');
  run.status = 'running';
  run.planned = [...run.planned, 'modes[mode=2]'];
  t.match(
    runMarkdown(run),
    '\nrun.json said running when this was written: the run was still going, or was killed before it finished (1 of 2 planned cases recorded).\n',
  );
});

void t.test('text from a run stays text: no tag, no cell break, no link', async (t) => {
  const run = failing();
  const c = run.cases[0];
  const e = c?.expectations[0];
  if (c === undefined || e === undefined) throw new Error('fixture: no expectation');
  c.case = HOSTILE;
  e.says = HOSTILE;
  c.error = `${HOSTILE}\n\`\`\`\nstill inside`;
  const md = runMarkdown(run);
  // Inside code, text is text: what matters is the rest.
  const prose = md.replace(/^( *)(`{3,})\n[^]*?\n\1\2$/gm, '').replace(/(`+)[^`][^]*?\1(?!`)/g, '');
  t.notMatch(prose, /<script/i, 'no tag');
  t.notMatch(prose, /[^\\]\]\(http/, 'no link');
  const row = md.split('\n').find((l) => l.includes('alert'));
  t.equal(row?.replace(/\\\|/g, '').split('|').length, 6, 'the case row keeps its cells');
  t.match(md, /^ {2}````$/m, 'the error fence outlasts the backticks inside it');
});

void t.test('markdown-text: escapes', async (t) => {
  t.equal(mdText('a_b *c* [d] <e> f & g <= h\nnext'), 'a\\_b \\*c\\* [d] &lt;e> f & g <= h next');
  t.equal(mdText('[a](b) [c][d]'), '[a\\](b) [c\\][d]');
  t.equal(mdText('&amp; <!-- x'), '&amp;amp; &lt;!-- x');
  t.equal(mdCode('a`b'), '``a`b``');
  t.equal(mdCode('`a'), '`` `a ``');
  t.equal(mdCode('a|b', true), '`a\\|b`');
  t.equal(mdCode('a|b'), '`a|b`');
  t.same(mdBlock('x\n```\ny', '  '), ['  ````', '  x', '  ```', '  y', '  ````']);
});
