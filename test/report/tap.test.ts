import t, { type Test } from 'tap';
import { Parser, type FinalResults, type Result } from 'tap-parser';
import type { RunInfo } from '../../harness/report/reporter.js';
import { tapReporter } from '../../harness/report/tap.js';
import type { CaseResult, MetricResult } from '../../harness/scenario/result.js';

const info: RunInfo = {
  kernel: 'uml 6.1.176',
  kernelRelease: '6.1.176',
  startedAt: '2025-03-01T10:00:00.000Z',
  durationMs: 250_000,
  repeat: 3,
};

const detection: MetricResult = {
  name: 'failover.detection',
  unit: 'ms',
  better: 'lower',
  samples: [41.2, 39.9, 49],
  summary: { n: 3, median: 41.2, p95: 48.2, min: 39.9, max: 49, stddev: 4.8, ci95: [39.9, 49] },
};
const lost: MetricResult = {
  name: 'failover.lost',
  unit: 'probes',
  better: 'lower',
  samples: [],
  summary: undefined,
};

function result(
  status: CaseResult['status'],
  name: string,
  more: Partial<CaseResult> = {},
): CaseResult {
  return {
    scenario: 'modes <&"\'>',
    case: name,
    params: { mode: 1 },
    status,
    error: undefined,
    startedAt: '2025-03-01T10:00:00.000Z',
    durationMs: 61_234.5,
    bonds: [],
    metrics: [detection],
    expectations: [],
    repetitions: [],
    ...more,
  };
}

const errorText = 'ip link add bond0 failed in netns bl-1\nRTNETLINK answers: File exists';
const results: CaseResult[] = [
  result('passed', 'modes[mode=1]', {
    expectations: [
      {
        metric: 'failover.detection',
        op: '<=',
        value: 50,
        says: 'detects within 50 ms',
        measured: 49,
        pass: true,
      },
    ],
  }),
  result('failed', 'modes[mode=2] <&"\' # é ✓ 😀', {
    expectations: [
      {
        metric: 'failover.detection',
        op: '<=',
        value: 40,
        says: 'detects within 40 ms # & <fast>',
        measured: 49,
        pass: false,
      },
      {
        metric: 'failover.detection',
        op: '>=',
        value: 1,
        says: 'takes a while',
        measured: 39.9,
        pass: true,
      },
    ],
  }),
  result('error', 'modes[mode=3]', {
    error: errorText,
    metrics: [lost],
    expectations: [
      {
        metric: 'failover.lost',
        op: '==',
        value: 0,
        says: 'loses nothing',
        measured: undefined,
        pass: false,
      },
    ],
  }),
  result('interrupted', 'modes[mode=4]\nsecond line', { error: 'interrupted by SIGINT' }),
];

/** What tap-parser saw in one (sub)test: its test points, comments, and anything that was not TAP. */
interface Parsed {
  version: number | undefined;
  asserts: { ok: boolean; name: string; time: number | null; diag: unknown }[];
  comments: string[];
  extra: string[];
  children: Parsed[];
  final: FinalResults | undefined;
}

function watch(parser: Parser): Parsed {
  const parsed: Parsed = {
    version: undefined,
    asserts: [],
    comments: [],
    extra: [],
    children: [],
    final: undefined,
  };
  parser.on('version', (v: number) => (parsed.version = v));
  parser.on('assert', (r: Result) =>
    parsed.asserts.push({ ok: r.ok, name: r.name, time: r.time, diag: r.diag as unknown }),
  );
  parser.on('comment', (c: string) => parsed.comments.push(c.trim()));
  parser.on('extra', (e: string) => parsed.extra.push(e));
  parser.on('child', (c: Parser) => parsed.children.push(watch(c)));
  parser.on('complete', (f: FinalResults) => (parsed.final = f));
  return parsed;
}

function parseTap(text: string): Parsed {
  // strict: a line that is not TAP is a failure, not an "extra".
  const parser = new Parser({ strict: true });
  const parsed = watch(parser);
  parser.end(text);
  return parsed;
}

/** The reporter's output, and a check that nothing went anywhere else (progress, console). */
function run(t: Test, cases: readonly CaseResult[]): { text: string; writes: number } {
  const out: string[] = [];
  const err: string[] = [];
  const logs = t.capture(console, 'log');
  const reporter = tapReporter({ out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false });
  reporter.progress({ type: 'case-start', index: 0, total: cases.length, name: 'x' });
  reporter.progress({ type: 'phase', name: 'x', phase: 'build' });
  t.same([out, err], [[], []], 'progress writes nothing');
  reporter.finish(cases, info);
  t.same(err, [], 'finish writes nothing on stderr');
  t.equal(logs().length, 0, 'nor on the console');
  return { text: out.join('\n') + '\n', writes: out.length };
}

void t.test(
  'the document: version line, plan, one test point per case, all of it in one write',
  async (t) => {
    const { text, writes } = run(t, results);
    t.equal(writes, 1, 'finish writes the whole document once');
    t.equal(text.split('\n')[0], 'TAP version 14');
    const parsed = parseTap(text);
    t.equal(parsed.version, 14);
    t.same(parsed.extra, [], 'nothing outside TAP');
    t.match(parsed.final, { ok: false, count: 4, pass: 1, fail: 3, plan: { start: 1, end: 4 } });
    t.same(
      parsed.asserts.map((a) => [a.ok, a.name]),
      [
        [true, 'modes[mode=1]'],
        [false, 'modes[mode=2] <&"\' # é ✓ 😀'],
        [false, 'modes[mode=3]'],
        [false, 'modes[mode=4] second line'],
      ],
      'named as the cases (a newline flattened), `#` and unicode intact',
    );
    t.same(
      parsed.asserts.map((a) => a.time),
      [61_234.5, 61_234.5, 61_234.5, 61_234.5],
      "each subtest's time is its case's duration",
    );
    t.match(parsed.asserts[0]?.diag, {
      scenario: 'modes <&"\'>',
      params: { mode: 1 },
      status: 'passed',
    });
    t.ok(
      parsed.comments.some((c) => c.startsWith('# bondlab on uml 6.1.176 (6.1.176)')),
      'the run is described in a comment',
    );
  },
);

void t.test('one subtest per case, one test point per expectation', async (t) => {
  const [passed, failed, errored, interrupted] = parseTap(run(t, results).text).children;

  t.match(passed?.final, { ok: true, count: 1, pass: 1 });
  t.same(
    passed?.asserts.map((a) => [a.ok, a.name]),
    [[true, 'detects within 50 ms']],
  );
  t.same(passed?.asserts[0]?.diag, {
    metric: 'failover.detection',
    op: '<=',
    bound: 50,
    measured: 49,
    unit: 'ms',
  });
  t.ok(
    passed?.comments.includes(
      '# failover.detection median 41.2 ms (95% CI 39.9..49 ms), p95 48.2 ms, min 39.9 ms, max 49 ms, stddev 4.8 ms, n=3, lower is better',
    ),
    `the metric's summary as a comment: ${JSON.stringify(passed?.comments)}`,
  );

  t.match(failed?.final, { ok: false, count: 2, pass: 1, fail: 1 });
  t.same(
    failed?.asserts.map((a) => [a.ok, a.name]),
    [
      [false, 'detects within 40 ms # & <fast>'],
      [true, 'takes a while'],
    ],
  );
  t.same(failed?.asserts[0]?.diag, {
    metric: 'failover.detection',
    op: '<=',
    bound: 40,
    measured: 49,
    unit: 'ms',
  });

  t.match(errored?.final, { ok: false, count: 2, fail: 2 });
  t.same(
    errored?.asserts.map((a) => [a.ok, a.name]),
    [
      [false, 'loses nothing'],
      [false, 'error: ip link add bond0 failed in netns bl-1'],
    ],
  );
  t.match(errored?.asserts[0]?.diag, { metric: 'failover.lost', measured: null });
  t.same(errored?.asserts[1]?.diag, { status: 'error', error: errorText }, 'the whole error text');
  t.ok(errored?.comments.includes('# failover.lost: no samples'));

  t.match(interrupted?.final, { ok: false, count: 1, fail: 1 });
  t.same(
    interrupted?.asserts.map((a) => [a.ok, a.name]),
    [[false, 'interrupted: interrupted by SIGINT']],
  );
});

void t.test('no cases: a valid, passing document with an empty plan', async (t) => {
  const { text } = run(t, []);
  const parsed = parseTap(text);
  t.equal(text.split('\n')[0], 'TAP version 14');
  t.same(parsed.extra, []);
  t.match(parsed.final, { ok: true, count: 0, plan: { start: 1, end: 0, skipAll: true } });
  t.match(text, /^1\.\.0 # no cases ran: bondlab on uml 6\.1\.176 \(6\.1\.176\), started /m);
});
