/**
 * Regenerates test/report/<fixture>.expected.md from the stored runs in test/fixtures/report/,
 * after a deliberate change to the Markdown report (then read the diff before committing it):
 *
 *   npx tsx test/report/markdown-expected.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { runMarkdown } from '../../harness/report/markdown.js';
import type { RunFile } from '../../harness/results/run-file.js';

/**
 * Real runs, kept as run.json wrote them (re-indented by Prettier): `run` failed an expectation
 * and carries arrival and counter series (made by test/fixtures/report/make.sh); `error-run`'s one
 * case errored before measuring; `before-series` was written before run.json kept any series.
 */
export const FIXTURES = ['run', 'error-run', 'before-series'] as const;

export function fixturePath(name: (typeof FIXTURES)[number]): string {
  return new URL(`../fixtures/report/${name}.json`, import.meta.url).pathname;
}

export function expectedPath(name: (typeof FIXTURES)[number]): string {
  return new URL(`${name}.expected.md`, import.meta.url).pathname;
}

/** A stored run, parsed fresh each time (tests change their copy). */
export function fixture(name: (typeof FIXTURES)[number]): RunFile {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as RunFile;
}

if (
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')
) {
  for (const name of FIXTURES) {
    writeFileSync(expectedPath(name), runMarkdown(fixture(name)));
    process.stdout.write(`${expectedPath(name)}\n`);
  }
}
