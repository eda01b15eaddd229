/**
 * The checkout part of the environment fingerprint, on real git: the commit and a dirty tree in a
 * repository, and outside one the commit BONDLAB_GIT_COMMIT states (a container image), marked as
 * stated, or nothing when it is missing or malformed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { GIT_COMMIT_ENV, gitOf } from '../../harness/results/fingerprint.js';
import type { Teardowns } from '../fixtures/host.js';

function tempDir(t: Teardowns): string {
  const dir = mkdtempSync(join(tmpdir(), 'bondlab-fingerprint-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

function withEnv(t: Teardowns, value: string | undefined): void {
  const before = process.env[GIT_COMMIT_ENV];
  if (value === undefined) Reflect.deleteProperty(process.env, GIT_COMMIT_ENV);
  else process.env[GIT_COMMIT_ENV] = value;
  t.teardown(() => {
    if (before === undefined) Reflect.deleteProperty(process.env, GIT_COMMIT_ENV);
    else process.env[GIT_COMMIT_ENV] = before;
  });
}

void t.test('a git checkout: its commit, and dirty once a tracked file changes', async (t) => {
  withEnv(t, 'ffffffff');
  const dir = tempDir(t);
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
  git('init', '-q');
  writeFileSync(join(dir, 'a'), 'one\n');
  git('add', 'a');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'a');
  const head = git('rev-parse', 'HEAD');
  t.same(await gitOf(dir), { commit: head, dirty: false }, 'the checkout wins over the variable');
  writeFileSync(join(dir, 'b'), 'untracked\n');
  t.same(await gitOf(dir), { commit: head, dirty: false }, 'untracked files do not count');
  writeFileSync(join(dir, 'a'), 'two\n');
  t.same(await gitOf(dir), { commit: head, dirty: true });
});

void t.test('outside git: the stated commit, marked as stated, if well formed', async (t) => {
  const dir = tempDir(t);
  withEnv(t, undefined);
  t.equal(await gitOf(dir), undefined, 'nothing known');
  process.env[GIT_COMMIT_ENV] = ' 0123ABCDEF0123abcdef0123abcdef0123abcdef\n';
  t.same(await gitOf(dir), {
    commit: '0123abcdef0123abcdef0123abcdef0123abcdef',
    dirty: false,
    stated: true,
  });
  for (const bad of ['', 'main', '12345', 'zzzzzzzz', '0123abcd; rm -rf /']) {
    process.env[GIT_COMMIT_ENV] = bad;
    t.equal(await gitOf(dir), undefined, `${JSON.stringify(bad)} is not a commit`);
  }
});
