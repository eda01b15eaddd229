/**
 * Hostile input figures: every input of the corpus (test/reliability/hostile/) through the real
 * CLI, each in its own folders, and how many were rejected cleanly: exit 2, a message naming the
 * field, the value and what is allowed, no guest kernel chosen, nothing created. Lists the rest
 * with what went wrong. The test (test/reliability/hostile-input.test.ts) asserts the same.
 *
 * Run: npm run bench:hostile
 */
import { CORPUS } from '../test/reliability/hostile/corpus.js';
import { HostileRunner, type Verdict } from '../test/reliability/hostile/judge.js';
import { ensureBuilt } from '../test/fixtures/host.js';

ensureBuilt();
const runner = new HostileRunner();
let verdicts: Verdict[];
try {
  verdicts = await runner.runAll(CORPUS, 8, (v) => {
    process.stderr.write(v.problems.length === 0 ? '.' : 'x');
  });
} finally {
  runner.dispose();
}
process.stderr.write('\n');

const clean = verdicts.filter((v) => v.problems.length === 0);
const byKind = (kind: string, pick: (v: Verdict) => boolean): string => {
  const of = verdicts.filter(pick);
  return `${kind} ${of.filter((v) => v.problems.length === 0).length}/${of.length}`;
};
console.log(
  `${verdicts.length} hostile inputs, ${clean.length} rejected cleanly (exit 2, field named, nothing created)`,
);
console.log(
  `  by kind: ${[
    byKind('command-line', (v) => v.input.file === undefined && v.input.scenario === undefined),
    byKind('topology files', (v) => v.input.file !== undefined),
    byKind('scenario files', (v) => v.input.scenario !== undefined),
  ].join(', ')}`,
);
for (const v of verdicts.filter((x) => x.problems.length > 0)) {
  console.log(`not clean: ${v.input.id} (bondlab ${v.input.argv.join(' ')})`);
  for (const p of v.problems) console.log(`  - ${p}`);
  if (v.message !== '') console.log(`  message: ${v.message.split('\n')[0] ?? ''}`);
  if (v.input.gap !== undefined) console.log(`  known gap: ${v.input.gap}`);
}
