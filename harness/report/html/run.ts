import type { RunFile } from '../../results/run-file.js';
import { tally } from '../format.js';
import { caseSection } from './case-section.js';
import { markup } from './escape.js';
import { page } from './page.js';
import { casesTable, environmentSection, runHeader } from './run-sections.js';

/**
 * A run as one self-contained HTML page: the headline, the environment, the cases, then each case
 * in full with its charts (a failover's timeline, throughput per slave) rendered to inline SVG.
 * It opens offline and runs no script. Deterministic: the same run.json gives the same bytes.
 */
export async function runHtml(run: RunFile): Promise<string> {
  const sections = [];
  // One at a time: each chart's layout takes a moment, and the order must not depend on timing.
  for (const [i, c] of run.cases.entries()) sections.push(await caseSection(c, i));
  const body = markup`${runHeader(run)} ${environmentSection(run)} ${casesTable(run)} ${sections}`;
  return page(`bondlab ${run.label}: ${tally(run.cases)}`, body);
}
