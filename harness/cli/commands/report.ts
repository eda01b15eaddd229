import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../../errors.js';
import { readRunFile, runFilePath } from '../../results/load.js';
import type { Command } from '../command.js';
import { expectOutputFolder } from '../out-option.js';

export const report: Command = {
  name: 'report',
  summary: 'write the reports of a run again from its run.json',
  usage: 'report RUN [--out DIR]',
  description: [
    'Reads RUN (a run folder or its run.json) and writes report.md (Markdown for a GitHub step',
    'summary or a PR comment), report.html (self-contained, charts inline) and junit.xml (for CI',
    "test panes) into the run's folder, or DIR. Prints the paths written. Needs no root and no",
    'kernel: nothing runs. The same run.json always gives the same files.',
    'Exit status 0 when written, 2 when RUN is not a run.json bondlab can read.',
  ].join('\n'),
  allowPositionals: true,
  options: {
    out: {
      type: 'string',
      valueName: 'dir',
      description: "where to write the reports (default: the run's folder)",
    },
  },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) {
      throw new InputError(
        'RUN',
        positionals.join(' '),
        'expected exactly one run folder or run.json (see bondlab report --help)',
      );
    }
    const path = positionals[0] ?? '';
    const out = typeof values.out === 'string' ? values.out : undefined;
    // Everything is read and checked before a folder is made or a file written.
    const run = readRunFile(path);
    if (out !== undefined) expectOutputFolder('--out', out);
    const folder = out ?? dirname(runFilePath(path));
    // Loaded when used: the HTML report brings Vega along.
    const { writeRunReports } = await import('../../report/write-reports.js');
    mkdirSync(folder, { recursive: true });
    for (const written of await writeRunReports(folder, run)) io.out(written);
    return 0;
  },
};
