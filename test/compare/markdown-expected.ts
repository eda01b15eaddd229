/**
 * Regenerates test/compare/comparison.expected.md from the stored Comparison fixture, after a
 * deliberate change to the Markdown report (then read the diff before committing it):
 *
 *   npx tsx test/compare/markdown-expected.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { comparisonMarkdown } from '../../harness/compare/markdown.js';
import type { Comparison } from '../../harness/compare/types.js';

export const FIXTURE = new URL('fixtures/comparison.json', import.meta.url);
export const EXPECTED = new URL('comparison.expected.md', import.meta.url);

export function fixture(): Comparison {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as Comparison;
}

if (
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')
) {
  writeFileSync(EXPECTED, comparisonMarkdown(fixture()));
  process.stdout.write(`${EXPECTED.pathname}\n`);
}
