import { join } from 'node:path';
import type { RunFile } from '../results/run-file.js';
import { writeAtomic } from '../results/write.js';
import { runHtml } from './html/run.js';
import { runJunit } from './junit.js';
import { runMarkdown } from './markdown.js';

/** The reports of a run, by file name, in the order they are written. */
export const REPORT_FILES = ['report.md', 'report.html', 'junit.xml'] as const;

/**
 * Writes a run's reports into `folder`: report.md (GitHub-flavoured Markdown, for a step summary
 * or a PR comment), report.html (self-contained, its charts inline SVG) and junit.xml (for CI
 * test panes). All three are made before any is written (a chart that fails stops nothing: it
 * says why in its place), and each is written atomically: a reader never sees half a report.
 * Returns the paths written.
 */
export async function writeRunReports(folder: string, run: RunFile): Promise<string[]> {
  const texts: Record<(typeof REPORT_FILES)[number], string> = {
    'report.md': runMarkdown(run),
    'report.html': await runHtml(run),
    'junit.xml': runJunit(run),
  };
  return REPORT_FILES.map((name) => {
    const path = join(folder, name);
    writeAtomic(path, texts[name]);
    return path;
  });
}
