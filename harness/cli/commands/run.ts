import { release } from 'node:os';
import { requireRoot } from '../../doctor/privilege.js';
import { formatError, InputError, KernelUnsupportedError } from '../../errors.js';
import { hostHasBonding } from '../../kernels/host.js';
import { withRun } from '../../lifecycle/run-context.js';
import type { Reporter, ReporterIo } from '../../report/reporter.js';
import { fingerprint, runWriter } from '../../results/fingerprint.js';
import { GuestShare } from '../../results/guest-share.js';
import { writeReportsBeside } from '../../results/reports.js';
import { RUN_FILE_VERSION, type RunFile, type RunStatus } from '../../results/run-file.js';
import { parseShard, shardCases, shardText } from '../../results/shard.js';
import { runFolder, writeAtomic } from '../../results/write.js';
import type { CaseResult } from '../../scenario/result.js';
import { loadCatalog, selectScenarios } from '../../scenario/catalog.js';
import { planCases, type PlannedCase } from '../../scenario/plan.js';
import { runCases } from '../../scenario/runner.js';
import { BOND_MODES } from '../../topology/bond-options.js';
import { expectInteger } from '../../topology/validate.js';
import type { Command, Io } from '../command.js';
import { checkKernelOption } from '../kernel-option.js';
import { KERNEL_OPTION, onKernels } from '../on-kernels.js';
import { expectOutputFolder } from '../out-option.js';

type MakeReporter = (io: ReporterIo) => Reporter;

/** Loaded when chosen: tap's producer alone takes half a second to import. */
const REPORTERS: Readonly<Record<string, () => Promise<MakeReporter>>> = {
  human: async () => (await import('../../report/human.js')).humanReporter,
  tap: async () => (await import('../../report/tap.js')).tapReporter,
  junit: async () => (await import('../../report/junit.js')).junitReporter,
  json: async () => (await import('../../report/json.js')).jsonReporter,
};

/** `--mode 0,1,active-backup` as mode numbers. */
export function parseModes(text: string): number[] {
  return text.split(',').map((word) => {
    const w = word.trim();
    const n = /^\d$/.test(w) ? Number(w) : BOND_MODES.indexOf(w as (typeof BOND_MODES)[number]);
    if (n < 0 || n > 6) {
      throw new InputError(
        '--mode',
        text,
        `expected modes 0-6 or their names (${BOND_MODES.join(', ')}), comma-separated`,
      );
    }
    return n;
  });
}

async function plan(
  positionals: readonly string[],
  modes: number[] | undefined,
): Promise<PlannedCase[]> {
  const catalog = await loadCatalog();
  const cases = planCases(selectScenarios(catalog, positionals));
  const chosen =
    modes === undefined ? cases : cases.filter((c) => c.modes.some((m) => modes.includes(m)));
  if (chosen.length === 0) {
    throw new InputError(
      '--mode',
      modes?.join(',') ?? '',
      'no case of the chosen scenarios uses these modes',
    );
  }
  return chosen;
}

export const run: Command = {
  name: 'run',
  summary: 'run scenarios: build, break, measure, and check each expectation',
  usage:
    'run [names|globs...] [--mode 0,1] [--repeat N] [--shard i/n] [--kernel K] [--out DIR] [--reporter human|tap|junit|json] [--list]',
  description: [
    'Runs the scenarios named (globs with * and ?; all when none), each case on a fresh topology,',
    '--repeat times. Progress goes to stderr, the report to stdout, and every result to',
    'DIR/<time>-<kernel>/run.json (DIR defaults to ./results), rewritten after every case, with',
    'report.md, report.html and junit.xml beside it. --shard i/n runs the i-th of n slices of the',
    'selection (the same on every machine; `bondlab merge` puts the shards back together).',
    'Exit status 0 when every expectation was met, 1 when one was not (or a case failed to run,',
    'or the reports could not be written), 2 for bad input, 130/143 when interrupted.',
  ].join('\n'),
  allowPositionals: true,
  options: {
    mode: {
      type: 'string',
      valueName: 'modes',
      description: 'only cases whose bond uses these modes (0-6 or names)',
    },
    repeat: { type: 'string', valueName: 'n', description: 'repetitions of each case (default 1)' },
    shard: {
      type: 'string',
      valueName: 'i/n',
      description: 'run only the i-th of n slices of the selection (round robin, from 1)',
    },
    list: {
      type: 'boolean',
      description: 'print the cases this run would run, one a line, and run nothing',
    },
    kernel: KERNEL_OPTION,
    out: {
      type: 'string',
      valueName: 'dir',
      description: 'where run folders go (default ./results)',
    },
    reporter: {
      type: 'string',
      valueName: 'name',
      description: 'human (default), tap, junit or json',
    },
    verbose: {
      type: 'boolean',
      description: 'trace every step on stderr, with the seconds since the run started',
    },
  },
  async run(args, io) {
    const { values, positionals } = args;
    const reporterName = typeof values.reporter === 'string' ? values.reporter : 'human';
    const loadReporter = REPORTERS[reporterName];
    if (loadReporter === undefined) {
      throw new InputError(
        '--reporter',
        reporterName,
        `expected one of ${Object.keys(REPORTERS).join(', ')}`,
      );
    }
    const repeat = expectInteger('--repeat', values.repeat ?? '1', 1, 100);
    const modes = typeof values.mode === 'string' ? parseModes(values.mode) : undefined;
    // Inside a guest the host checked --out already (and the guest may see it differently).
    const outRoot =
      process.env.BONDLAB_SHARE === undefined
        ? expectOutputFolder('--out', values.out ?? 'results')
        : typeof values.out === 'string'
          ? values.out
          : 'results';
    checkKernelOption(values.kernel);
    const shard = typeof values.shard === 'string' ? parseShard(values.shard) : undefined;
    // Everything is checked here, before a guest boots: bad input costs nothing and creates nothing.
    const whole = await plan(positionals, modes);
    const cases = shard === undefined ? whole : shardCases(whole, shard);
    // Inside a guest (BONDLAB_SHARE) the host has said it already.
    const inGuest = process.env.BONDLAB_SHARE !== undefined;
    if (shard !== undefined && !inGuest) {
      io.err(
        `shard ${shardText(shard)}: ${cases.length} of ${whole.length} case${whole.length === 1 ? '' : 's'}` +
          (cases.length === 0 && values.list !== true
            ? ' (an empty run is recorded, so that the merge knows this shard ran)'
            : ''),
      );
    }
    if (values.list === true) {
      for (const c of cases) io.out(c.name);
      return 0;
    }
    const makeReporter = await loadReporter();
    requireRoot('run');
    const verbose = values.verbose === true;
    const selection: RunFile['selection'] = {
      patterns: [...positionals],
      modes,
      shard,
      unsharded: shard === undefined ? undefined : whole.map((c) => c.name),
    };
    const here = async (): Promise<number> => {
      await requireBonding(cases);
      return runHere(cases, { repeat, outRoot, makeReporter, io, verbose, selection });
    };
    // The guest runs this command again with `--kernel host`: no guest, no share.
    if (inGuest || values.kernel === 'host') return onKernels('run', args, io, here);
    const share = new GuestShare(outRoot, io.err);
    let status: number;
    try {
      status = await onKernels('run', args, io, here, {
        ...(share.dir === undefined ? {} : { shareDir: share.dir }),
        collect: (from) => {
          share.collect(from);
        },
      });
    } catch (error) {
      await share.finish(error);
      throw error;
    }
    // Reports that could not be written make the status at least 1; run.json is there anyway.
    return (await share.finish(undefined)) ? status : Math.max(status, 1);
  },
};

/**
 * A kernel without the bonding driver fails every case that builds a bond, the same way: said once,
 * as a missing prerequisite (exit 2), before a run is recorded, not as a run of errored cases.
 */
async function requireBonding(cases: readonly PlannedCase[]): Promise<void> {
  const bonded = cases.filter((c) => (c.spec.topology.bonds ?? []).length > 0);
  if (bonded.length === 0 || (await hostHasBonding())) return;
  throw new KernelUnsupportedError(
    release(),
    `this kernel has no bonding driver, and ${bonded.length} of ${cases.length} selected case${cases.length === 1 ? '' : 's'} ${bonded.length === 1 ? 'builds' : 'build'} a bond`,
    {
      hint: 'load it (`modprobe bonding`), or leave --kernel at auto (or --kernel uml) to run the real driver in User-mode Linux; `bondlab doctor` checks',
    },
  );
}

async function runHere(
  cases: PlannedCase[],
  o: {
    repeat: number;
    outRoot: string;
    makeReporter: MakeReporter;
    io: Io;
    verbose: boolean;
    selection: RunFile['selection'];
  },
): Promise<number> {
  const kernel = process.env.BONDLAB_KERNEL ?? 'host';
  const reporterIo: ReporterIo = {
    ...o.io,
    // Inside a guest stderr is its console, a tty no one reads: the host prints plain lines.
    isTTY: process.stderr.isTTY && process.env.BONDLAB_SHARE === undefined,
    errRaw: (text) => process.stderr.write(text),
  };
  const reporter = o.makeReporter(reporterIo);
  // Inside a guest the host's tree is read-only: results go to the shared folder, and the host
  // moves them into place.
  const root = process.env.BONDLAB_SHARE ?? o.outRoot;
  const startedAt = new Date();
  return withRun(
    async (r) => {
      const label = `${kernel}-${release()}`;
      const folder = runFolder(root, label, startedAt);
      const started = performance.now();
      const head = {
        version: RUN_FILE_VERSION,
        label,
        startedAt: startedAt.toISOString(),
        repeat: o.repeat,
        selection: o.selection,
        planned: cases.map((c) => c.name),
        environment: await fingerprint(kernel),
        writer: runWriter(),
        mergedFrom: undefined,
      } as const;
      const done: CaseResult[] = [];
      // Rewritten (atomically) after every case: whatever stops the run, what it measured stays.
      const save = (status: RunStatus, stopReason?: string): RunFile => {
        const file: RunFile = {
          ...head,
          status,
          stopReason,
          finishedAt: new Date().toISOString(),
          durationMs: Math.round(performance.now() - started),
          cases: done,
        };
        writeAtomic(`${folder}/run.json`, `${JSON.stringify(file, null, 2)}\n`);
        return file;
      };
      // In a guest the host writes the reports, once it has the run folder back.
      const reports = async (file: RunFile): Promise<boolean> =>
        process.env.BONDLAB_SHARE === undefined ? writeReportsBeside(folder, file, o.io.err) : true;
      save('running');
      try {
        await runCases(r, cases, {
          repeat: o.repeat,
          onProgress: (p) => {
            reporter.progress(p);
            if (p.type === 'case-end') {
              done.push(p.result);
              save('running');
            }
          },
        });
      } catch (error) {
        const stopped = save(
          r.signal.aborted ? 'interrupted' : 'error',
          formatError(r.signal.reason ?? error),
        );
        await reports(stopped);
        throw error;
      }
      const file = r.signal.aborted
        ? save('interrupted', formatError(r.signal.reason))
        : save('complete');
      reporter.finish(done, {
        kernel,
        kernelRelease: release(),
        startedAt: file.startedAt,
        durationMs: file.durationMs,
        repeat: o.repeat,
      });
      if (process.env.BONDLAB_SHARE === undefined) o.io.err(`results: ${folder}/run.json`);
      const reported = await reports(file);
      r.throwIfAborted();
      return done.every((c) => c.status === 'passed') && reported ? 0 : 1;
    },
    { log: o.verbose ? traceTo(o.io) : () => undefined, handleSignals: true },
  );
}

/** `--verbose`: each log line with the seconds since the run started (phases show their cost). */
function traceTo(io: Io): (line: string) => void {
  const t0 = performance.now();
  return (line) => {
    io.err(`[${((performance.now() - t0) / 1000).toFixed(3).padStart(8)}] ${line}`);
  };
}
