import t from 'tap';
import {
  exitLine,
  findExitMarker,
  findStderrMarker,
  jobFileName,
  parseJobFile,
  parseMarker,
  readyLine,
  stderrLine,
} from '../../harness/kernels/guest-protocol.js';

void t.test('markers round-trip, and only with their own nonce', async (t) => {
  t.same(parseMarker(readyLine('abc123', '6.1.176'), 'abc123'), {
    kind: 'ready',
    kernelRelease: '6.1.176',
  });
  t.same(parseMarker(exitLine('abc123', 3, undefined), 'abc123'), {
    kind: 'exit',
    exitCode: 3,
    signal: undefined,
  });
  t.same(parseMarker(exitLine('abc123', 143, 'SIGTERM'), 'abc123'), {
    kind: 'exit',
    exitCode: 143,
    signal: 'SIGTERM',
  });
  t.equal(parseMarker(readyLine('abc123', '6.1.176'), 'other'), undefined, 'another run’s marker');
  t.equal(parseMarker('bondlab-guest abc123 exit three', 'abc123'), undefined);
  t.equal(parseMarker('the command printed bondlab-guest abc123 ready x', 'abc123'), undefined);
  t.equal(parseMarker('', 'abc123'), undefined);
});

void t.test('the exit marker is found after output that did not end its line', async (t) => {
  t.same(findExitMarker(`x${exitLine('abc123', 0, undefined)}`, 'abc123'), {
    before: 'x',
    exitCode: 0,
    signal: undefined,
  });
  t.same(findExitMarker(exitLine('abc123', 143, 'SIGTERM'), 'abc123'), {
    before: '',
    exitCode: 143,
    signal: 'SIGTERM',
  });
  t.equal(findExitMarker(`x${exitLine('abc123', 0, undefined)}`, 'other'), undefined);
  t.equal(findExitMarker(`x${readyLine('abc123', '6.1.176')}`, 'abc123'), undefined);
  t.equal(findExitMarker('x bondlab-guest abc123 exit three', 'abc123'), undefined);
});

void t.test('stderr lines round-trip, text in front of them kept apart', async (t) => {
  t.same(findStderrMarker(stderrLine('abc123', 'warning: x'), 'abc123'), {
    before: '',
    text: 'warning: x',
  });
  t.same(findStderrMarker(`half${stderrLine('abc123', '')}`, 'abc123'), {
    before: 'half',
    text: '',
  });
  t.equal(findStderrMarker(stderrLine('abc123', 'x'), 'other'), undefined, 'another nonce');
  t.equal(findStderrMarker('bondlab-guest abc123 error x', 'abc123'), undefined);
});

void t.test('the job file is checked field by field', async (t) => {
  const job = { version: 1, nonce: 'n', argv: ['/bin/true'], cwd: '/', env: { A: 'b' } };
  t.same(parseJobFile(JSON.stringify(job)), job);
  t.throws(() => parseJobFile(JSON.stringify({ ...job, version: 2 })), /unknown version 2/);
  t.throws(
    () => parseJobFile(JSON.stringify({ ...job, argv: [] })),
    /argv must be a non-empty list of strings/,
  );
  t.throws(
    () => parseJobFile(JSON.stringify({ ...job, argv: [1] })),
    /argv must be a non-empty list of strings/,
  );
  t.throws(() => parseJobFile(JSON.stringify({ ...job, env: { A: 1 } })), /env must map/);
  t.throws(() => parseJobFile('{'), SyntaxError);
  t.match(jobFileName('n'), /^\.bondlab-guest-n\.job\.json$/, 'a hidden file in the share folder');
});
