import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { compareRuns } from '../../compare/compare.js';
import { DEFAULT_ALPHA, defaultThresholdTable } from '../../compare/defaults.js';
import { voidingText } from '../../compare/format.js';
import { comparisonMarkdown } from '../../compare/markdown.js';
import { comparisonText } from '../../compare/text.js';
import { readThresholdsFile } from '../../compare/thresholds-file.js';
import { InputError } from '../../errors.js';
import { readRunFile } from '../../results/load.js';
import { writeAtomic } from '../../results/write.js';
import type { Command } from '../command.js';

const OUTPUTS = ['markdown', 'json', 'html'] as const;

export const compare: Command = {
  name: 'compare',
  summary: 'compare two runs metric by metric: exit 1 on a regression that noise cannot explain',
  usage:
    'compare BASE CAND [--thresholds FILE] [--markdown FILE] [--json FILE] [--html FILE] [--force]',
  description: [
    'BASE and CAND are run folders or their run.json. Per case and metric, the repetitions of the',
    'two runs are tested (two-sided Mann-Whitney U), and the p-values of all metrics adjusted',
    'together (Benjamini-Hochberg, q); a metric regressed when q < alpha and its median moved the',
    'bad way beyond both its relative and its absolute threshold. Too few repetitions to test',
    'give "inconclusive", never a regression.',
    `Default thresholds by unit (a change must exceed both; alpha ${DEFAULT_ALPHA} for all):`,
    ...defaultThresholdTable().map(
      ({ unit, thresholds: t }) =>
        `  ${unit.padEnd(9)} relative ${`${t.relative * 100}%`.padEnd(4)} absolute ${t.absolute} ${unit}`,
    ),
    '--thresholds FILE overrides them: {"metrics": {"failover.*": {"relative": 0.1}},',
    '"cases": {"modes[mode=1]": {"throughput.mbit": {"absolute": 5, "alpha": 0.01}}}}.',
    'Runs on different kernel kinds (uml, host, qemu) are refused unless --force.',
    'Exit status 0 no regression, 1 at least one regression, 2 bad input or environments that',
    'void the comparison.',
  ].join('\n'),
  allowPositionals: true,
  options: {
    thresholds: {
      type: 'string',
      valueName: 'file',
      description: 'JSON thresholds per metric (name or glob) and per case',
    },
    markdown: {
      type: 'string',
      valueName: 'file',
      description: 'write the Markdown report (a GitHub step summary or PR comment)',
    },
    json: { type: 'string', valueName: 'file', description: 'write the comparison as JSON' },
    html: {
      type: 'string',
      valueName: 'file',
      description: 'write the self-contained HTML report, with charts',
    },
    force: {
      type: 'boolean',
      description: 'compare even when the environments void it (e.g. uml against host)',
    },
  },
  async run({ values, positionals }, io) {
    if (positionals.length !== 2) {
      throw new InputError(
        'BASE CAND',
        positionals.join(' '),
        'expected two runs: the baseline and the candidate (run folders or run.json files)',
      );
    }
    const [basePath = '', candPath = ''] = positionals;
    // Every input is checked before anything is written.
    const outputs = OUTPUTS.flatMap((name) => {
      const path = values[name];
      return typeof path === 'string' ? [{ name, path: checkOutput(`--${name}`, path) }] : [];
    });
    const rules =
      typeof values.thresholds === 'string' ? readThresholdsFile(values.thresholds) : [];
    // readRunFile checks each against results/run.schema.json, naming the file and the field.
    const baseline = readRunFile(basePath);
    const candidate = readRunFile(candPath);
    const force = values.force === true;
    const c = compareRuns(baseline, candidate, {
      paths: { baseline: basePath, candidate: candPath },
      rules,
      force,
    });
    if (c.environment.some((d) => d.voids) && !force) {
      throw new InputError(
        'environment',
        voidingText(c),
        'the two runs must share the kernel kind (host, uml, qemu, vagrant): a guest and a host time failovers and move packets too differently to compare; --force compares anyway',
      );
    }
    if (c.forced === true) {
      io.err(
        `bondlab compare: WARNING: the environments differ in ${voidingText(c)}; compared because of --force, and the verdicts do not hold`,
      );
    }
    for (const line of comparisonText(c)) io.out(line);
    // Every report rendered before the first is written: one that fails leaves none behind.
    const texts: { name: string; path: string; text: string }[] = [];
    for (const { name, path } of outputs) {
      const text =
        name === 'json'
          ? `${JSON.stringify(c, null, 2)}\n`
          : name === 'markdown'
            ? comparisonMarkdown(c)
            : await (
                await import('../../report/html/comparison.js')
              ).comparisonHtml(c, { baseline, candidate });
      texts.push({ name, path, text });
    }
    for (const { name, path, text } of texts) {
      writeAtomic(path, text);
      io.err(`${name}: ${path}`);
    }
    return c.counts.regression > 0 ? 1 : 0;
  },
};

/** An output's folder must exist (nothing is created but the file), and it must not be one. */
function checkOutput(flag: string, path: string): string {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // A new file: fine, if its folder exists.
  }
  if (isDir) throw new InputError(flag, path, 'expected a file to write, not a folder');
  try {
    if (statSync(dirname(resolve(path))).isDirectory()) return path;
  } catch {
    // Reported below.
  }
  throw new InputError(flag, path, `expected a file in an existing folder (${dirname(path)})`);
}
