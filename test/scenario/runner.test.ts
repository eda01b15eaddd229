/**
 * runCases on this kernel, where a case can fail after its topology was built: each case's
 * namespaces are gone when the next begins, even when a measurement threw (the next case builds
 * namespaces of the same names, and failed with "File exists" while they stayed to the run's end).
 * The cases are made by hand, past planCases, which would refuse a failover without a bond: that
 * refusal is what keeps a real scenario from failing this way, not what is tested here.
 */
import t from 'tap';
import { parseNetnsName } from '../../harness/lifecycle/names.js';
import { withRun } from '../../harness/lifecycle/run-context.js';
import type { PlannedCase } from '../../harness/scenario/plan.js';
import { runCases } from '../../harness/scenario/runner.js';
import { switchedPair } from '../../harness/topology/examples.js';
import { isolateState, leaks, netnsList, snapshot } from '../fixtures/host.js';

isolateState(t);

const failing = (name: string): PlannedCase => ({
  scenario: 'runner-test',
  name,
  params: {},
  modes: [],
  spec: {
    topology: switchedPair(),
    // Built, then refused at run time: the switched pair has no bond to fail over.
    measure: [{ kind: 'failover', fault: { kind: 'carrier-loss' } }],
  },
});

void t.test('a case whose measurement throws leaves nothing to the next', async (t) => {
  const before = snapshot();
  const between: string[][] = [];
  const results = await withRun(async (run) =>
    runCases(run, [failing('first'), failing('second')], {
      repeat: 1,
      onProgress: (p) => {
        if (p.type === 'case-end') {
          between.push(netnsList().filter((n) => parseNetnsName(n)?.runId === run.id));
        }
      },
    }),
  );
  t.same(
    results.map((r) => r.status),
    ['error', 'error'],
  );
  for (const r of results) {
    t.match(r.error, /a failover measurement needs a bond on client/, `${r.case}: its own error`);
    t.notMatch(r.error, /File exists/, `${r.case}: not the case before's namespaces`);
  }
  t.same(between, [[], []], "no namespace of the run's left after each case");
  t.same(leaks(before), { netns: [], links: [] });
});
