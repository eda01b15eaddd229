import type { Comparison } from '../../compare/types.js';
import type { RunFile } from '../../results/run-file.js';

/**
 * The comparison of two runs as one self-contained HTML page: per metric, baseline against
 * candidate, the change and the verdict, with both runs' samples charted. Opens offline.
 */
export function comparisonHtml(
  c: Comparison,
  runs: { baseline: RunFile; candidate: RunFile },
): Promise<string> {
  // Placeholder until the charts land: a plain table, so `bondlab compare --html` works today.
  const escape = (s: string): string =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const rows = c.metrics
    .map(
      (m) =>
        `<tr><td>${escape(m.case)}</td><td>${escape(m.metric)}</td><td>${String(m.baselineMedian)}</td><td>${String(m.candidateMedian)}</td><td>${escape(m.verdict)}</td></tr>`,
    )
    .join('\n');
  return Promise.resolve(
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>bondlab: ${escape(runs.baseline.label)} vs ${escape(runs.candidate.label)}</title></head><body><table>${rows}</table></body></html>\n`,
  );
}
