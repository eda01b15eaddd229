import type { RunFile } from '../results/run-file.js';
import type { CaseResult, CaseStatus, ExpectationResult } from '../scenario/result.js';
import {
  duration,
  environmentPairs,
  keyMetrics,
  kernelName,
  medianRange,
  plural,
  quantity,
  runningNote,
  selectionText,
  statusCounts,
  tally,
} from './format.js';
import { mdBlock, mdCode, mdTable, mdText } from './markdown-text.js';

/** A case's status in a table: words, bold when it needs a look (they read the same anywhere). */
function statusCell(status: CaseStatus): string {
  return status === 'passed' ? status : `**${status}**`;
}

function headline(run: RunFile): string[] {
  const n = statusCounts(run.cases);
  const ok = run.status === 'complete' && n.failed + n.error + n.interrupted === 0;
  const verdict = ok ? 'Passed' : n.failed + n.error > 0 ? 'Failed' : 'Incomplete';
  const notRun = run.planned.length - run.cases.length;
  const lines = [
    `## ${verdict}: bondlab, ${tally(run.cases)}`,
    '',
    [
      `**${run.status}**`,
      `${plural(run.cases.length, 'case')}${notRun > 0 ? ` of ${run.planned.length} planned` : ''}`,
      mdText(kernelName(run)),
      duration(run.durationMs),
      mdText(selectionText(run)),
      `started ${mdText(run.startedAt)}`,
    ].join(' · '),
  ];
  if (run.stopReason !== undefined) lines.push('', `Stopped: ${mdText(run.stopReason)}`);
  const running = runningNote(run);
  if (running !== undefined) lines.push('', mdText(running));
  if (notRun > 0) {
    const left = run.planned.slice(run.cases.length);
    lines.push('', `Did not run: ${left.map((c) => mdCode(c)).join(', ')}`);
  }
  return lines;
}

function environment(run: RunFile): string[] {
  const pairs = environmentPairs(run).map(([k, v]) => `${k} ${mdText(v)}`);
  const lines = [`> **Environment** · ${pairs.join(' · ')}`];
  if (run.mergedFrom !== undefined) {
    const parts = run.mergedFrom.map(
      (m) =>
        `${mdText(m.label)}${m.shard === undefined ? '' : ` (shard ${m.shard.index}/${m.shard.count})`}`,
    );
    lines.push('>', `> Merged from ${parts.join(', ')}`);
  }
  return lines;
}

function caseRow(c: CaseResult): string[] {
  const metrics = keyMetrics(c).map((m) => `${mdText(m.name)} ${mdText(medianRange(m))}`);
  return [statusCell(c.status), mdCode(c.case, true), duration(c.durationMs), metrics.join('<br>')];
}

function casesTable(run: RunFile): string[] {
  if (run.cases.length === 0) return ['No case finished.'];
  const many = run.repeat > 1 ? ` over ${plural(run.repeat, 'repetition')}` : '';
  return mdTable(
    ['Status', 'Case', 'Time', `Key metrics: median [min–max]${many}`],
    'llrl',
    run.cases.map(caseRow),
  );
}

/** `bound <= 200 ms, measured 263 ms (the worst repetition; median 250 ms [237–263])`. */
function expectationText(c: CaseResult, e: ExpectationResult): string {
  const metric = c.metrics.find((m) => m.name === e.metric);
  const unit = metric?.unit ?? '';
  const measured =
    e.measured === undefined ? 'not measured' : `measured ${quantity(e.measured, unit)}`;
  const spread =
    metric?.summary !== undefined && metric.summary.n > 1
      ? ` (the worst repetition; median ${medianRange(metric)})`
      : '';
  return `${mdText(e.says)}: ${mdText(e.metric)} ${mdText(measured + spread)}, bound ${mdText(`${e.op} ${quantity(e.value, unit)}`)}`;
}

function failedExpectations(run: RunFile): string[] {
  const failed = run.cases.flatMap((c) =>
    c.expectations
      .filter((e) => !e.pass)
      .map((e) => `- ${mdCode(c.case)}: ${expectationText(c, e)}`),
  );
  return failed.length === 0 ? [] : ['', '### Failed expectations', '', ...failed];
}

function errors(run: RunFile): string[] {
  const errored = run.cases.filter((c) => c.error !== undefined);
  if (errored.length === 0) return [];
  return [
    '',
    '### Errors',
    '',
    ...errored.flatMap((c) => [
      `- ${mdCode(c.case)} (${c.status}):`,
      '',
      ...mdBlock(c.error ?? '', '  '),
    ]),
  ];
}

function allMetrics(run: RunFile): string[] {
  const rows = run.cases.flatMap((c) =>
    c.metrics.map((m) => [
      mdCode(c.case, true),
      mdText(m.name),
      mdText(medianRange(m)),
      String(m.summary?.n ?? 0),
      m.better,
    ]),
  );
  if (rows.length === 0) return [];
  return [
    '',
    '<details><summary>All metrics</summary>',
    '',
    ...mdTable(['Case', 'Metric', 'Median [min–max]', 'n', 'Better'], 'lllrl', rows),
    '',
    '</details>',
  ];
}

/**
 * A run as GitHub-flavoured Markdown that fits a step summary or a PR comment: the headline
 * (status, tally, kernel, duration), the environment, a table of cases with their key metrics,
 * each failed expectation (what it says, what was measured, the bound), each error, and every
 * metric folded away. Deterministic: the same run.json gives the same bytes.
 */
export function runMarkdown(run: RunFile): string {
  return `${[
    ...headline(run),
    '',
    ...environment(run),
    '',
    ...casesTable(run),
    ...failedExpectations(run),
    ...errors(run),
    ...allMetrics(run),
  ].join('\n')}\n`;
}
