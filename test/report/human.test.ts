import t from 'tap';
import { caseLines, humanReporter } from '../../harness/report/human.js';
import type { RunInfo } from '../../harness/report/reporter.js';
import type { CaseResult } from '../../harness/scenario/result.js';

const info: RunInfo = {
  kernel: 'uml',
  kernelRelease: '6.1.176',
  startedAt: '2026-11-26T07:00:00.000Z',
  durationMs: 95_000,
  repeat: 1,
};

function result(
  status: CaseResult['status'],
  name: string,
  more: Partial<CaseResult> = {},
): CaseResult {
  return {
    scenario: 'modes',
    case: name,
    params: {},
    status,
    error: undefined,
    startedAt: info.startedAt,
    durationMs: 12_300,
    bonds: [],
    metrics: [
      {
        name: 'failover.detection',
        unit: 'ms',
        better: 'lower',
        samples: [41.2],
        summary: {
          n: 1,
          median: 41.2,
          p95: 41.2,
          min: 41.2,
          max: 41.2,
          stddev: 0,
          ci95: [41.2, 41.2],
        },
      },
    ],
    expectations: [],
    repetitions: [],
    ...more,
  };
}

const failed = result('failed', 'modes[mode=3]', {
  expectations: [
    {
      metric: 'failover.detection',
      op: '<=',
      value: 30,
      says: 'fast enough',
      measured: 41.2,
      pass: false,
    },
    {
      metric: 'failover.detection',
      op: '>=',
      value: 0,
      says: 'after the fault',
      measured: 41.2,
      pass: true,
    },
  ],
});

void t.test(
  'a case reads as its status, each expectation against its bound, the medians',
  async (t) => {
    t.same(caseLines(failed), [
      'FAILED modes[mode=3] (12.3 s)',
      '  FAIL fast enough: failover.detection 41.2 ms (bound <= 30 ms)',
      '  ok   after the fault: failover.detection 41.2 ms (bound >= 0 ms)',
      '       failover.detection 41.2 ms',
    ]);
    const errored = caseLines(result('error', 'seed', { error: 'boom\nsecond line', metrics: [] }));
    t.same(errored, ['ERROR  seed (12.3 s)', '       boom', '       second line']);
  },
);

void t.test('not a terminal: a plain line per case, then the report and the tally', async (t) => {
  const out: string[] = [];
  const err: string[] = [];
  const raw: string[] = [];
  const r = humanReporter({
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTTY: false,
    errRaw: (x) => raw.push(x),
  });
  r.progress({ type: 'case-start', index: 0, total: 2, name: 'modes[mode=3]' });
  r.progress({ type: 'phase', name: 'modes[mode=3]', phase: 'failover' });
  r.progress({ type: 'case-end', index: 0, total: 2, result: failed });
  r.finish([failed, result('passed', 'seed')], info);
  t.same(err, ['[1/2] modes[mode=3]', '[1/2] modes[mode=3]: failed (12.3 s)']);
  t.same(raw, [], 'no live line');
  t.match(
    out.at(-1),
    /^2 cases: 1 passed, 1 failed in 1:35 on uml \(6\.1\.176\), 1 repetition each$/,
  );
});

void t.test('a terminal: one live line, redrawn, cleared at the end', async (t) => {
  const raw: string[] = [];
  const r = humanReporter({
    out: () => undefined,
    err: () => undefined,
    isTTY: true,
    errRaw: (x) => raw.push(x),
  });
  r.progress({ type: 'case-start', index: 0, total: 1, name: 'seed' });
  r.progress({ type: 'phase', name: 'seed', phase: 'build' });
  t.equal(raw.at(-1), '\r\x1b[2K[1/1] seed · build · 0:00 elapsed · ETA ?');
  r.finish([], info);
  t.equal(raw.at(-1), '\r\x1b[2K', 'the live line is cleared');
});
