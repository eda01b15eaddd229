/**
 * What a run leaves when it is stopped, in User-mode Linux. Killed outright (SIGKILL to the host's
 * `bondlab run` while its guest runs the second case): a run.json that validates, still says
 * running, holds the first case, and that readers take as interrupted; `bondlab clean` removes the
 * rest, and no namespace is left. Interrupted (SIGINT, as a terminal's Ctrl-C sends it): a run.json
 * that says interrupted and why, in place in --out.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readRunFile } from '../../harness/results/load.js';
import { effectiveStatus, effectiveStopReason } from '../../harness/results/status.js';
import {
  cli,
  ensureBuilt,
  isolateState,
  netnsList,
  startCli,
  type Cli,
  type Teardowns,
} from '../fixtures/host.js';

ensureBuilt();
isolateState(t);
t.setTimeout(400_000);

function tempDir(t: Teardowns): string {
  const dir = mkdtempSync(join(tmpdir(), 'bondlab-durability-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Resolves once the CLI's stderr (where progress goes, a guest's too) holds `text`. */
async function waitForStderr(cli: Cli, text: string): Promise<void> {
  while (!cli.stderr.includes(text)) {
    if (!cli.running) throw new Error(`bondlab ended before printing "${text}":\n${cli.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Run folders (`<stamp>-<label>`) directly in `dir`. */
function runFolders(dir: string): string[] {
  return readdirSync(dir).filter((n) => /^\d{4}-\d\d-\d\dT/.test(n));
}

void t.test('SIGKILL mid-run: the finished cases stay, readers say interrupted', async (t) => {
  const netnsBefore = netnsList();
  const out = tempDir(t);
  const run = startCli(
    t,
    ['run', 'seed-failover', 'seed-failback', '--kernel', 'uml', '--out', out],
    { detached: true },
  );
  // The second case has started: the first is in run.json.
  await waitForStderr(run, '[2/2] ');
  process.kill(-(run.child.pid as number), 'SIGKILL');
  const ended = await run.exited;
  t.equal(ended.signal, 'SIGKILL', 'the host process was killed');

  const clean = await cli(t, ['clean']);
  t.equal(clean.code, 0, 'bondlab clean', { stderr: clean.stderr });
  t.same(netnsList(), netnsBefore, 'no namespace left');

  t.same(runFolders(out), [], 'the run never reached its place in --out');
  const [incoming] = readdirSync(out).filter((n) => n.startsWith('incoming-'));
  t.ok(incoming, 'it stayed in the folder the guest wrote into, which clean leaves alone');
  const [folder] = runFolders(join(out, incoming ?? ''));
  const path = join(out, incoming ?? '', folder ?? '');
  const left = readRunFile(path);
  t.pass('run.json validates');
  t.equal(left.status, 'running', 'the file says running: no one could finish it');
  t.same(
    left.cases.map((c) => c.case),
    ['seed-failback'],
    'it holds the case finished before the kill',
  );
  t.same(left.planned, ['seed-failback', 'seed-failover']);
  t.equal(left.writer?.pid, run.child.pid, "its writer is the host's bondlab run");
  t.equal(effectiveStatus(left), 'interrupted', 'readers take it as interrupted');
  t.match(effectiveStopReason(left), /its writer \(pid \d+ on .*\) is gone.*1 of 2 cases recorded/);
});

void t.test('SIGINT mid-run: run.json says interrupted, and why', async (t) => {
  const netnsBefore = netnsList();
  const out = tempDir(t);
  const run = startCli(t, ['run', 'seed-failover', '--kernel', 'uml', '--out', out], {
    detached: true,
  });
  await waitForStderr(run, '[1/1] seed-failover');
  process.kill(-(run.child.pid as number), 'SIGINT');
  const ended = await run.exited;
  t.equal(ended.code, 130, 'exit 130', { stderr: ended.stderr });
  t.same(netnsList(), netnsBefore, 'no namespace left');
  const [folder] = runFolders(out);
  t.ok(folder, 'the run folder is in --out');
  t.same(
    readdirSync(out).filter((n) => n.startsWith('incoming-')),
    [],
    'and the guest share is gone',
  );
  const stopped = readRunFile(join(out, folder ?? ''));
  t.equal(stopped.status, 'interrupted');
  t.match(stopped.stopReason, /interrupted by SIGINT/, 'with the reason');
  t.equal(effectiveStatus(stopped), 'interrupted');
  t.ok(existsSync(join(out, folder ?? '', 'run.json')));
});
