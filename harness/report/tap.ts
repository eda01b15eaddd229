import { Minimal } from '@tapjs/core';
import type { CaseResult, ExpectationResult, MetricResult } from '../scenario/result.js';
import type { Reporter, ReporterIo, RunInfo } from './reporter.js';
import { metricLine } from './metric-line.js';

/** A newline inside a name would end the `# Subtest:` line early and leave the rest outside TAP. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** The YAML diagnostics of an expectation's test point: what was bounded, how, and what came out. */
function expectationDiagnostics(e: ExpectationResult, metrics: readonly MetricResult[]) {
  const unit = metrics.find((m) => m.name === e.metric)?.unit;
  return {
    // Otherwise tap would print the reporter's own source line as where the failure happened.
    at: null,
    diagnostic: true,
    metric: e.metric,
    op: e.op,
    bound: e.value,
    measured: e.measured ?? null,
    ...(unit === undefined ? {} : { unit }),
  };
}

function caseSubtest(t: Minimal, r: CaseResult): void {
  const options = {
    at: null,
    diagnostic: true,
    scenario: r.scenario,
    params: r.params,
    status: r.status,
    startedAt: r.startedAt,
  };
  void t.test(oneLine(r.case), options, (st) => {
    for (const m of r.metrics) st.comment(metricLine(m));
    for (const e of r.expectations) {
      const says = oneLine(e.says);
      const diagnostics = expectationDiagnostics(e, r.metrics);
      if (e.pass) st.pass(says, diagnostics);
      else st.fail(says, diagnostics);
    }
    if (r.status === 'error' || r.status === 'interrupted') {
      const firstLine = r.error?.split(/\r?\n|\r/).find((l) => l.trim() !== '');
      st.fail(firstLine === undefined ? r.status : `${r.status}: ${oneLine(firstLine)}`, {
        at: null,
        status: r.status,
        error: r.error ?? null,
      });
    }
    // tap reads a closing `# time=` comment as the subtest's duration: the case's, not ours.
    st.comment(`time=${Math.max(0, Math.round(r.durationMs * 1000) / 1000)}ms`);
    st.end();
  });
}

/** The whole TAP document of a run, produced by tap's own test producer (`@tapjs/core`). */
function tapDocument(results: readonly CaseResult[], info: RunInfo): string {
  const root = new Minimal({ name: 'bondlab' });
  let text = '';
  root.on('data', (chunk: string) => {
    text += chunk;
  });
  const run =
    `bondlab on ${info.kernel} (${info.kernelRelease}), started ${info.startedAt}, ` +
    `${info.repeat} repetition${info.repeat === 1 ? '' : 's'} per case, ` +
    `${(info.durationMs / 1000).toFixed(1)} s in all`;
  // Planned up front so that the run's comment comes after the version line, not before it. A
  // plan of 0 ends the test at once (a comment then would go to console.log): it says it there.
  if (results.length === 0) {
    root.plan(0, `no cases ran: ${run}`);
  } else {
    root.plan(results.length);
    root.comment(run);
  }
  for (const r of results) caseSubtest(root, r);
  root.end();
  // Every subtest above is synchronous, so the stream has ended; if a later @tapjs/core defers
  // any of it, say so rather than print half a document.
  if (!root.emittedEnd) {
    throw new Error(
      `tap reporter: @tapjs/core did not end the TAP stream synchronously (${results.length} cases, ${text.length} characters so far)`,
    );
  }
  return text.trimEnd();
}

/**
 * For machines that read TAP: one subtest per case (named as the case), one test point per
 * expectation (its `says`, with metric, op, bound and measured as YAML diagnostics), a failing
 * test point for a case that errored or was interrupted, and each metric's summary as a comment.
 * Nothing while the run goes; the whole document at the end.
 */
export function tapReporter(io: ReporterIo): Reporter {
  return {
    progress: () => undefined,
    finish(results: readonly CaseResult[], info: RunInfo) {
      io.out(tapDocument(results, info));
    },
  };
}
