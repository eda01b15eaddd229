/**
 * Hostile input: every malformed argument, topology file and scenario file of the corpus
 * (hostile/corpus-*.ts) goes through the real CLI and must be refused cleanly: exit 2, a message
 * naming the field, the value and what is allowed, no guest kernel chosen, and nothing created
 * (no namespace, root link, process, result, temp file or run record). Known gaps, owned outside
 * this test's reach, are todo. `npm run bench:hostile` prints the same figures.
 */
import t from 'tap';
import { expectOutputFolder } from '../../harness/cli/out-option.js';
import { InputError } from '../../harness/errors.js';
import { resolveTopology } from '../../harness/topology/resolve.js';
import { ensureBuilt, leaks, snapshot } from '../fixtures/host.js';
import { CORPUS } from './hostile/corpus.js';
import { HostileRunner } from './hostile/judge.js';
import { newNetns } from './hostile/private-run.js';

ensureBuilt();
// ~200 CLI starts; a loaded machine needs more than the default five minutes for them.
t.setTimeout(900_000);

void t.test('the corpus covers what the issue asks for', async (t) => {
  t.ok(CORPUS.length >= 40, `${CORPUS.length} inputs, at least 40`);
  const has = (what: string, pick: (argv: string) => boolean): void => {
    t.ok(
      CORPUS.some((c) =>
        pick(`${c.argv.join(' ')} ${typeof c.file === 'string' ? c.file : ''} ${c.scenario ?? ''}`),
      ),
      what,
    );
  };
  has('a shell injection', (s) => s.includes('; rm -rf /'));
  has('a command substitution', (s) => s.includes('$(reboot)'));
  has('backticks', (s) => s.includes('`reboot`'));
  has('../../etc', (s) => s.includes('../../etc'));
  has('a newline inside a name', (s) => /\n|\\n/.test(s));
  has('unicode', (s) => /[\u{80}-\u{10ffff}]/u.test(s));
  has('__proto__', (s) => s.includes('__proto__'));
  has('1e308', (s) => s.includes('1e308') || s.includes('1e+308'));
  has('2^53+1', (s) => s.includes('9007199254740993'));
  has('an option as a value', (s) => s.includes('--out --kernel'));
  for (const command of ['run', 'up', 'failover', 'calibrate', 'list', 'doctor', 'clean']) {
    t.ok(
      CORPUS.some((c) => c.argv[0] === command),
      `bondlab ${command}`,
    );
  }
});

void t.test('each hostile input is refused cleanly', async (t) => {
  const before = snapshot();
  const runner = new HostileRunner();
  t.teardown(() => {
    runner.dispose();
  });
  const verdicts = await runner.runAll(CORPUS);
  for (const v of verdicts) {
    const { input, run } = v;
    void t.test(input.id, input.gap === undefined ? {} : { todo: input.gap }, async (t) => {
      t.equal(run.code, 2, 'exit 2', { stderr: run.stderr });
      t.match(v.message, /^bondlab: .+ is not allowed; /s, 'a refusal in the house form');
      t.same(v.problems, [], `rejected cleanly: ${v.message.split('\n')[0] ?? ''}`);
      t.same(run.leftovers, [], 'nothing created');
    });
  }
  const clean = verdicts.filter((v) => v.problems.length === 0).length;
  t.comment(
    `${verdicts.length} hostile inputs, ${clean} rejected cleanly (exit 2, field named, nothing created)`,
  );
  for (const v of verdicts.filter((x) => x.problems.length > 0)) {
    t.comment(`not clean: ${v.input.id}: ${v.problems.join('; ')}`);
  }
  // Known gaps did create things; the judge cleaned them up, and nothing may remain.
  t.same(leaks(before).links, [], 'no root link remains');
  t.same(newNetns(before.netns), [], 'no namespace named like ours remains');
});

void t.test('names that are Object.prototype keys are ordinary names', async (t) => {
  // A switch port named toString once read Object.prototype.toString as its settings.
  const spec = {
    hosts: { constructor: {}, b: {} },
    switches: { sw: {} },
    links: [
      { a: 'constructor:toString', b: 'sw:toString' },
      { a: 'b:eth0', b: 'sw:valueOf' },
    ],
  };
  const resolved = resolveTopology(spec);
  t.same(
    resolved.switches[0]?.ports.map((p) => p.ifname),
    ['toString', 'valueOf'],
  );
  t.same(resolved.hosts, ['constructor', 'b']);
});

void t.test("run's --out check refuses each --out of the corpus that names a value", async (t) => {
  // The same check, in process: what it says about each value, apart from the CLI's plumbing.
  for (const input of CORPUS.filter((c) => c.field === '--out' && c.value !== undefined)) {
    const at = input.argv.findIndex((a) => a === '--out' || a.startsWith('--out='));
    const arg = input.argv[at] ?? '';
    const value = arg === '--out' ? input.argv[at + 1] : arg.slice('--out='.length);
    let message = '';
    try {
      expectOutputFolder('--out', value);
    } catch (error) {
      if (error instanceof InputError) message = error.message;
    }
    t.match(message, `--out: ${input.value ?? ''} is not allowed; `, input.id);
    t.match(message, input.allowed, `${input.id}: says what is allowed`);
  }
  t.equal(expectOutputFolder('--out', 'results/new/deeper'), 'results/new/deeper', 'a new folder');
});
