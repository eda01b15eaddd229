/**
 * Run folders in a shared results folder: two runs started in the same second, on this kernel or
 * in two guests collected into one `--out`, each get a folder of their own.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { collectRuns, runFolder } from '../../harness/results/write.js';

function tempDir(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bondlab-write-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

const NAME = '2026-11-26T12-00-00Z-uml-6.12.0';

/** A guest's share holding one run folder named NAME, with `text` as its run.json. */
function share(dir: string, which: string, text: string): string {
  const from = join(dir, `incoming-${which}`);
  mkdirSync(join(from, NAME), { recursive: true });
  writeFileSync(join(from, NAME, 'run.json'), text);
  return from;
}

void t.test('two guests of one second collected into one folder: both kept', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'results');
  const first = collectRuns(share(dir, 'a', 'first'), out);
  const second = collectRuns(share(dir, 'b', 'second'), out);
  t.same(first, [join(out, NAME)], 'the first keeps its name');
  t.same(second, [join(out, `${NAME}-2`)], 'the second gets the next free one');
  t.equal(readFileSync(join(out, NAME, 'run.json'), 'utf8'), 'first', 'the first is intact');
  t.equal(readFileSync(join(out, `${NAME}-2`, 'run.json'), 'utf8'), 'second');
  t.same(readdirSync(join(dir, 'incoming-a')), [], 'each share is emptied');
  t.same(readdirSync(join(dir, 'incoming-b')), []);
});

void t.test('a run folder made here in the same second is not taken either', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'results');
  const date = new Date('2026-11-26T12:00:00.250Z');
  const here = runFolder(out, 'uml-6.12.0', date);
  t.equal(here, join(out, NAME));
  writeFileSync(join(here, 'run.json'), 'here');
  t.same(collectRuns(share(dir, 'a', 'guest'), out), [join(out, `${NAME}-2`)]);
  t.equal(readFileSync(join(here, 'run.json'), 'utf8'), 'here', 'the one made here is intact');
  t.equal(runFolder(out, 'uml-6.12.0', date), join(out, `${NAME}-3`), 'and the next is -3');
});
