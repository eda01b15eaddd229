import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import tmp from 'tmp';
import { runHtml } from '../../harness/report/html/run.js';
import { junitReporter } from '../../harness/report/junit.js';
import { runMarkdown } from '../../harness/report/markdown.js';
import { runInfo } from '../../harness/report/reporter.js';
import { REPORT_FILES, writeRunReports } from '../../harness/report/write-reports.js';
import { fixture } from './markdown-expected.js';

void t.test(
  'writeRunReports: report.md, report.html and junit.xml, and nothing else',
  async (t) => {
    const dir = tmp.dirSync({ prefix: 'bondlab-reports-', unsafeCleanup: true });
    t.teardown(() => {
      dir.removeCallback();
    });
    const run = fixture('run');
    const paths = await writeRunReports(dir.name, run);
    t.same(
      paths,
      REPORT_FILES.map((name) => join(dir.name, name)),
    );
    t.same(
      readdirSync(dir.name).sort(),
      ['junit.xml', 'report.html', 'report.md'],
      'no temp file left',
    );
    const read = (name: string): string => readFileSync(join(dir.name, name), 'utf8');
    t.equal(read('report.md'), runMarkdown(run));
    t.equal(read('report.html'), await runHtml(run));
    // The file is what `run --reporter junit` prints for the same cases: one rendering, not two.
    const printed: string[] = [];
    junitReporter({ out: (l) => printed.push(l), err: () => undefined, isTTY: false }).finish(
      run.cases,
      runInfo(run),
    );
    t.equal(read('junit.xml'), `${printed.join('\n')}\n`);
    t.match(
      read('junit.xml'),
      /<testcase classname="modes" name="modes\[mode=1\]" time="\d+\.\d{3}">/,
    );
  },
);
