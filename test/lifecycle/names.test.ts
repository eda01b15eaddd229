import t from 'tap';
import {
  isRunId,
  netnsName,
  newRunId,
  parseNetnsName,
  RUN_ID_LENGTH,
} from '../../harness/lifecycle/names.js';

void t.test('run ids are 5 characters of [a-z0-9]', async (t) => {
  const ids = Array.from({ length: 200 }, newRunId);
  for (const id of ids) t.ok(isRunId(id), id);
  t.equal(RUN_ID_LENGTH, 5);
  t.notOk(isRunId('ABCDE'));
  t.notOk(isRunId('abcd'));
  t.notOk(isRunId('abc-e'));
});

void t.test('namespace names round-trip, and only ours parse', async (t) => {
  t.equal(netnsName('ab12z', 'client'), 'blab12z-client');
  t.same(parseNetnsName('blab12z-client'), { runId: 'ab12z', name: 'client' });
  t.same(parseNetnsName('blzzzzz-h1'), { runId: 'zzzzz', name: 'h1' }, 'named like ours');
  t.equal(parseNetnsName('blab12-client'), undefined, 'id too short');
  t.equal(parseNetnsName('xyab12z-client'), undefined, 'another prefix');
  t.equal(parseNetnsName('blAB12Z-client'), undefined, 'upper case');
  t.equal(parseNetnsName('blab12z'), undefined, 'no object name');
});
