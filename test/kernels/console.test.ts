import t from 'tap';
import { ConsoleLines } from '../../harness/kernels/console.js';

void t.test('chunks become lines per stream, without carriage returns', async (t) => {
  const lines: string[] = [];
  const c = new ConsoleLines((l) => lines.push(l));
  c.push('stdout', Buffer.from('one\r\ntw'));
  c.push('stderr', Buffer.from('err\r'));
  c.push('stdout', Buffer.from('o\r\n\r\nthree'));
  t.same(lines, ['one', 'two', ''], 'a line split over chunks is one line');
  c.end('stdout');
  c.end('stderr');
  t.same(lines, ['one', 'two', '', 'three', 'err'], 'unfinished lines come out at the end');
});

void t.test('a character split across chunks is decoded whole', async (t) => {
  const lines: string[] = [];
  const c = new ConsoleLines((l) => lines.push(l));
  const bytes = Buffer.from('café\n');
  c.push('stdout', bytes.subarray(0, 4));
  c.push('stdout', bytes.subarray(4));
  t.same(lines, ['café']);
});

void t.test('the tail keeps the last lines', async (t) => {
  const c = new ConsoleLines(() => undefined, 3);
  c.push('stdout', Buffer.from('1\n2\n3\n4\n5\n'));
  t.same(c.tail, ['3', '4', '5']);
  c.remember('note');
  t.same(c.tail, ['4', '5', 'note']);
});
