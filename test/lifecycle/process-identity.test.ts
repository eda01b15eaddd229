import { spawn } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';
import { isAlive, processStartTime } from '../../harness/lifecycle/process-identity.js';

void t.test('a live process is known by its pid and start time', async (t) => {
  const start = processStartTime(process.pid);
  t.type(start, 'number');
  t.ok(isAlive(process.pid, start as number));
  t.notOk(isAlive(process.pid, (start as number) + 1), 'a recycled pid is not the owner');
});

void t.test('an exited process is not alive, zombie or reaped', async (t) => {
  const child = spawn('sh', ['-c', 'exit 0'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const pid = child.pid as number;
  await once(child, 'exit');
  t.equal(processStartTime(pid), undefined);
  t.equal(processStartTime(2 ** 22 + 1), undefined, 'beyond pid_max');
});
