import { InputError } from '../../errors.js';
import { readRunFile } from '../../results/load.js';
import { mergeRuns } from '../../results/merge.js';
import { writeReportsBeside } from '../../results/reports.js';
import { runFolder, writeAtomic } from '../../results/write.js';
import type { Command } from '../command.js';
import { expectOutputFolder } from '../out-option.js';

export const merge: Command = {
  name: 'merge',
  summary: 'recombine the shard runs of one selection (run --shard i/n) into one run',
  usage: 'merge RUN... [--out DIR] [--force]',
  description: [
    'Reads the run folders (or run.json files) of the shards of one `bondlab run --shard i/n`',
    'selection and writes one run folder DIR/<time>-<label>/ (DIR defaults to ./results): every',
    'case in the order the whole selection planned, mergedFrom naming the parts, the worst status',
    'of the parts, and as duration the longest part (shards run side by side). A missing shard is',
    'a warning: the merged run says interrupted and names the cases that never ran.',
    'Refused (exit 2, nothing written): runs that are not shards, or not of one selection (names,',
    'modes, repeat, shard count), the same shard twice, different kernel kinds, a part still',
    'running; different kernel releases or labels, bondlab versions or commits unless --force.',
    'Exit status 0 once the merged run is written (its cases may have failed: compare and the',
    'reports say so), 1 when its reports could not be written, 2 for bad input.',
  ].join('\n'),
  allowPositionals: true,
  options: {
    out: {
      type: 'string',
      valueName: 'dir',
      description: 'where the merged run folder goes (default ./results)',
    },
    force: {
      type: 'boolean',
      description: 'merge shards of different kernel releases, bondlab versions or commits',
    },
  },
  async run(args, io) {
    const { values, positionals } = args;
    if (positionals.length === 0) {
      throw new InputError('RUN', [], 'expected the run folders of the shards to merge');
    }
    const outRoot = expectOutputFolder('--out', values.out ?? 'results');
    // Every part is read and checked before anything is written.
    const parts = positionals.map((path) => ({ path, run: readRunFile(path) }));
    const { run, warnings } = mergeRuns(parts, { force: values.force === true });
    for (const w of warnings) io.err(`warning: ${w}`);
    const folder = runFolder(outRoot, run.label, new Date(run.startedAt));
    writeAtomic(`${folder}/run.json`, `${JSON.stringify(run, null, 2)}\n`);
    io.err(
      `merged ${parts.length} shard${parts.length === 1 ? '' : 's'}: ${run.cases.length} of ${run.planned.length} cases, status ${run.status}`,
    );
    io.err(`results: ${folder}/run.json`);
    io.out(folder);
    return (await writeReportsBeside(folder, run, io.err)) ? 0 : 1;
  },
};
