import t from 'tap';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tmp from 'tmp';
import { main } from '../../harness/cli/main.js';
import { REPORT_FILES, writeRunReports } from '../../harness/report/write-reports.js';
import { readRunFile } from '../../harness/results/load.js';
import { cli, ensureBuilt, ROOT, type Teardowns } from '../fixtures/host.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'report', 'run.json');

/** Runs the CLI in this process and collects what it prints. */
async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A scratch folder holding a copy of the stored run as `run/run.json`. */
function scratch(t: Teardowns): { dir: string; run: string } {
  const dir = tmp.dirSync({ prefix: 'bondlab-report-', unsafeCleanup: true });
  t.teardown(() => {
    dir.removeCallback();
  });
  const run = join(dir.name, 'run');
  mkdirSync(run);
  cpSync(FIXTURE, join(run, 'run.json'));
  return { dir: dir.name, run };
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    REPORT_FILES.map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
}

void t.test(
  'bondlab report RUN: every report beside run.json, as writeRunReports writes them',
  async (t) => {
    ensureBuilt();
    const { dir, run } = scratch(t);
    const res = await cli(t, ['report', run]);
    t.equal(res.code, 0, res.stderr);
    t.same(
      res.stdout.trim().split('\n'),
      REPORT_FILES.map((name) => join(run, name)),
      'prints the paths it wrote',
    );
    t.equal(res.stderr, '');
    const fresh = join(dir, 'fresh');
    mkdirSync(fresh);
    await writeRunReports(fresh, readRunFile(FIXTURE));
    t.same(files(run), files(fresh), 'the same bytes as a fresh writeRunReports');
    t.same(readdirSync(run).sort(), ['junit.xml', 'report.html', 'report.md', 'run.json']);

    const again = await cli(t, ['report', join(run, 'run.json')]);
    t.equal(again.code, 0, 'given the run.json itself');
    t.same(files(run), files(fresh), 'and again: nothing in a report depends on when it was made');
  },
);

void t.test(
  '--out DIR: the reports go there, made if need be; the run folder is left alone',
  async (t) => {
    const { dir, run } = scratch(t);
    const out = join(dir, 'elsewhere', 'reports');
    const res = await capture(['report', run, '--out', out]);
    t.equal(res.code, 0, res.err);
    t.same(
      res.out.split('\n'),
      REPORT_FILES.map((name) => join(out, name)),
    );
    t.same(readdirSync(run), ['run.json']);
    t.match(files(out)['report.md'], /^## Failed: bondlab, 0 passed, 1 failed\n/);
  },
);

void t.test('bad input: exit 2, the field named, nothing written', async (t) => {
  const { dir, run } = scratch(t);
  const out = join(dir, 'out');
  const missing = await capture(['report', join(dir, 'nowhere'), '--out', out]);
  t.equal(missing.code, 2);
  t.match(
    missing.err,
    /^bondlab: run: ".*nowhere" is not allowed; expected a run folder or its run\.json, and it does not exist/,
  );

  const other = join(dir, 'other.json');
  writeFileSync(other, JSON.stringify({ name: 'not a run' }));
  const notRun = await capture(['report', other, '--out', out]);
  t.equal(notRun.code, 2);
  t.match(
    notRun.err,
    /other\.json: version: undefined is not allowed; expected run\.json version 2/,
  );

  const broken = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
  delete broken.environment;
  writeFileSync(join(run, 'run.json'), JSON.stringify(broken));
  const field = await capture(['report', run, '--out', out]);
  t.equal(field.code, 2);
  t.match(field.err, /environment/, 'the missing field named');

  const garbage = join(dir, 'garbage.json');
  writeFileSync(garbage, '{ not json');
  t.match(await capture(['report', garbage, '--out', out]), {
    code: 2,
    err: /expected a readable run\.json/,
  });

  t.match(await capture(['report']), {
    code: 2,
    err: /RUN: "" is not allowed; expected exactly one run folder or run\.json/,
  });
  t.match(await capture(['report', run, run]), { code: 2, err: /^bondlab: RUN: / });
  t.notOk(existsSync(out), 'no --out folder made for bad input');
  t.same(readdirSync(run), ['run.json'], 'nothing written beside the run');

  cpSync(FIXTURE, join(run, 'run.json'));
  const fileOut = join(dir, 'a-file');
  writeFileSync(fileOut, '');
  t.match(await capture(['report', run, '--out', fileOut]), {
    code: 2,
    err: /--out: ".*a-file" is not allowed; expected a folder to write results in \(made if missing\); .*a-file is a file/,
  });
});

void t.test('report --help says what it writes and that nothing runs', async (t) => {
  const res = await capture(['report', '--help']);
  t.equal(res.code, 0);
  t.match(res.out, /^Usage: bondlab report RUN \[--out DIR\]/);
  t.match(res.out, 'Needs no root and no\nkernel');
  t.match(
    (await capture(['--help'])).out,
    /^ {2}report +write the reports of a run again from its run\.json$/m,
  );
});
