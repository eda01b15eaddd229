import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../harness/cli/main.js';
import { cli, ensureBuilt, ROOT } from '../fixtures/host.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** Runs the CLI in this process and collects what it prints. */
async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

void t.test('help lists the commands and the exit statuses', async (t) => {
  const res = await capture(['--help']);
  t.equal(res.code, 0);
  t.match(res.out, /^Usage: bondlab <command> \[options\]/);
  for (const c of ['doctor', 'up', 'clean']) t.match(res.out, new RegExp(`^ {2}${c} `, 'm'));
  t.match(res.out, 'Exit status: 0 ok, 1 failure, 2 bad input or missing prerequisite');
  const up = await capture(['up', '--help']);
  t.equal(up.code, 0);
  t.match(up.out, /^Usage: bondlab up <example\|topology.json>/);
  t.match(up.out, /--hold <seconds>/);
});

void t.test('--version prints the package version', async (t) => {
  // version() finds package.json relative to dist/, so this runs the built CLI.
  ensureBuilt();
  const res = await cli(t, ['--version']);
  t.equal(res.code, 0);
  t.equal(res.stdout.trim(), pkg.version);
});

void t.test('an unknown command or option: exit 2, named', async (t) => {
  t.match(await capture(['fly']), {
    code: 2,
    // Every command, in the order --help lists them (the list grows; these are the first seven).
    err: /^bondlab: command: "fly" is not allowed; expected one of doctor, list, run, up, failover, calibrate, clean(, [a-z]+)* \(see bondlab --help\)$/m,
  });
  t.match(await capture(['clean', '--force']), {
    code: 2,
    err: /^bondlab: bondlab clean: "--force" is not allowed; Unknown option '--force'/,
  });
});
