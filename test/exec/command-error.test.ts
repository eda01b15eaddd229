import t from 'tap';
import { CommandError, quoteArgv } from '../../harness/exec/command-error.js';
import { BondlabError, formatError } from '../../harness/errors.js';

const details = {
  argv: ['ip', '-n', 'blabcde-h1', 'link', 'set', 'eth 0', 'up'],
  netns: 'blabcde-h1',
  exitCode: 1,
  signal: undefined,
  stdout: '',
  stderr: Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n'),
  durationMs: 12.4,
};

void t.test('the message has the command, the namespace, the duration and stderr', async (t) => {
  const e = new CommandError('E_COMMAND_FAILED', 'exit 1', details, { hint: 'check the name' });
  t.ok(e instanceof BondlabError);
  t.equal(e.name, 'CommandError');
  t.equal(e.exitStatus, 1);
  const [first, ...rest] = e.message.split('\n');
  t.equal(first, "exit 1: ip -n blabcde-h1 link set 'eth 0' up in namespace blabcde-h1 (12 ms)");
  t.same(
    rest,
    ['line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11', 'line 12'].map(
      (l) => `  | ${l}`,
    ),
    'the last 8 lines of stderr',
  );
  t.match(formatError(e), /\n {2}hint: check the name$/);
});

void t.test('quoteArgv quotes only what a shell would split', async (t) => {
  t.equal(quoteArgv(['ip', '-j', 'link']), 'ip -j link');
  t.equal(quoteArgv(['echo', "it's", 'a b', '$x']), `echo 'it'\\''s' 'a b' '$x'`);
});
