import {
  byVerdict,
  changeText,
  countsText,
  headline,
  pText,
  quantity,
  voidingText,
} from './format.js';
import type { Comparison, MetricComparison } from './types.js';

/**
 * The comparison as GitHub-flavoured Markdown, for a step summary ($GITHUB_STEP_SUMMARY) or a PR
 * comment: the one-line verdict, the environment's differences, then one row per metric,
 * regressions first, with the unchanged rows folded in a <details> block so the comment stays
 * short. Verdicts are words in bold (no emoji): they read the same in a terminal and a mail.
 */
export function comparisonMarkdown(c: Comparison): string {
  const out: string[] = [
    `### ${c.forced === true ? 'Forced, not valid: ' : ''}${headline(c)}`,
    '',
    `bondlab compare: baseline ${code(c.baseline.label)} (${c.baseline.startedAt}) → candidate ${code(c.candidate.label)} (${c.candidate.startedAt}): ${countsText(c)}.`,
  ];
  if (c.forced === true) {
    out.push(
      '',
      `> **Warning:** the environments differ in ${voidingText(c)}: this comparison was forced, and its verdicts do not hold.`,
    );
  }
  if (c.environment.length > 0) {
    out.push(
      '',
      ...aligned(
        ['Environment', 'Baseline', 'Candidate', 'Note'],
        'llll',
        c.environment.map((d) => {
          const severity = d.severity ?? (d.voids ? 'voids' : 'warning');
          const note = d.why === undefined ? severity : `${severity}: ${d.why}`;
          return [code(d.field), cell(d.baseline), cell(d.candidate), cell(note)];
        }),
      ),
    );
  }
  const sorted = byVerdict(c.metrics);
  const notable = sorted.filter((m) => m.verdict !== 'unchanged');
  const unchanged = sorted.filter((m) => m.verdict === 'unchanged');
  if (notable.length > 0) out.push('', ...table(notable, true));
  if (unchanged.length > 0) {
    const listed = unchanged.slice(0, MAX_UNCHANGED_ROWS);
    const more = unchanged.length - listed.length;
    out.push(
      '',
      '<details>',
      `<summary>${unchanged.length} unchanged</summary>`,
      '',
      ...table(listed, false),
      ...(more > 0
        ? ['', `And ${more} more unchanged: the JSON report (--json) lists them all.`]
        : []),
      '',
      '</details>',
    );
  }
  if (c.metrics.length === 0) out.push('', 'No metric in common.');
  const tested = c.metrics.filter((m) => m.pAdjusted !== undefined).length;
  if (tested > 0) {
    out.push(
      '',
      `p: two-sided Mann-Whitney U over the repetitions; q: p adjusted for the ${tested} metrics tested (Benjamini-Hochberg). A change counts when q < alpha and its median moved beyond both thresholds.`,
    );
  }
  if (c.onlyInBaseline.length > 0) {
    out.push('', `Only in the baseline: ${c.onlyInBaseline.map(code).join(', ')}.`);
  }
  if (c.onlyInCandidate.length > 0) {
    out.push('', `Only in the candidate: ${c.onlyInCandidate.map(code).join(', ')}.`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * A PR comment holds 65536 characters: past this many unchanged rows (a whole catalog compared)
 * the rest are counted, not listed.
 */
const MAX_UNCHANGED_ROWS = 250;

/** One row per metric; `why`: with the verdict's reason (the notable rows, not the unchanged). */
function table(metrics: readonly MetricComparison[], why: boolean): string[] {
  const head = ['Verdict', 'Case', 'Metric', 'Baseline', 'Candidate', 'Change', 'p', 'q'];
  return aligned(
    why ? [...head, 'Why'] : head,
    why ? 'lllrrrrrl' : 'lllrrrrr',
    metrics.map((m) => [
      m.verdict === 'unchanged' ? m.verdict : `**${m.verdict}**`,
      code(m.case),
      code(m.metric),
      cell(quantity(m.baselineMedian, m.unit)),
      cell(quantity(m.candidateMedian, m.unit)),
      cell(changeText(m)),
      pText(m.pValue),
      pText(m.pAdjusted),
      ...(why ? [cell(m.reason)] : []),
    ]),
  );
}

/**
 * A table with its columns padded to one width, as Prettier formats Markdown: the file reads as a
 * table in a terminal too, and `prettier --check` leaves the stored expectation alone. `align`:
 * one letter per column, l or r.
 */
function aligned(head: readonly string[], align: string, rows: readonly string[][]): string[] {
  // Cells are ASCII and a few one-column symbols (→ − – ±): one UTF-16 unit, one column each.
  const width = (s: string): number => s.length;
  const widths = head.map((h, i) => Math.max(3, width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const pad = (s: string, i: number): string => {
    const fill = ' '.repeat((widths[i] ?? 0) - width(s));
    return align[i] === 'r' ? fill + s : s + fill;
  };
  const rule = widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  return [row(head.map(pad)), row(rule), ...rows.map((r) => row(r.map(pad)))];
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Table-safe text: a pipe would end the cell, a newline the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** Inline code; GFM reads `\|` inside it as a pipe, so table cells stay whole. */
function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}
