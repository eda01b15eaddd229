import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { processStartTime } from '../../harness/lifecycle/process-identity.js';
import {
  claimRecord,
  listRecords,
  readRecord,
  removeRecord,
  stateDir,
  updateRecord,
  type RunRecord,
} from '../../harness/lifecycle/records.js';
import { isolateState } from '../fixtures/host.js';

const dir = isolateState(t);

function record(id: string, pid = process.pid): RunRecord {
  return {
    version: 1,
    id,
    pid,
    startTime: processStartTime(process.pid) as number,
    startedAt: new Date().toISOString(),
    argv: ['test'],
    processGroups: [],
    paths: [],
  };
}

void t.test('records live in BONDLAB_STATE_DIR', async (t) => {
  t.equal(stateDir(), dir);
});

void t.test('claiming an id is exclusive', async (t) => {
  t.teardown(() => {
    removeRecord('aaaaa');
  });
  t.ok(claimRecord(record('aaaaa')));
  t.notOk(claimRecord(record('aaaaa')), 'a second claim of the same id fails');
  t.equal(readRecord('aaaaa')?.pid, process.pid);
  updateRecord({ ...record('aaaaa'), paths: ['/x'] });
  t.same(readRecord('aaaaa')?.paths, ['/x']);
  removeRecord('aaaaa');
  t.equal(readRecord('aaaaa'), undefined);
});

void t.test('listRecords tells live owners from dead ones and skips strangers', async (t) => {
  t.teardown(() => {
    for (const id of ['live1', 'dead1', 'junk1']) removeRecord(id);
  });
  claimRecord(record('live1'));
  claimRecord({ ...record('dead1'), pid: 0 });
  writeFileSync(join(dir, 'runs', 'junk1.json'), '{ not json');
  writeFileSync(join(dir, 'runs', 'NOT-A-RUN.json'), '{}');
  const byId = Object.fromEntries(listRecords().map((r) => [r.id, r.alive]));
  t.same(byId, { live1: true, dead1: false, junk1: false });
});
