/**
 * The guest side of every guest kernel: started by the guest's init as
 * `node dist/harness/kernels/guest-main.js <job file>`. Runs the job's command with its
 * environment and working directory, its stdout straight on the console and each stderr line
 * tagged (the console is one stream; the host splits them again), and exits with the
 * command's status (128 + signal number when a signal ended it), which init hands to the guest
 * kernel as its own exit status. Runs inside the guest only: imports nothing that runs commands.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, writeSync } from 'node:fs';
import { constants, release } from 'node:os';
import { exitLine, parseJobFile, readyLine, stderrLine } from './guest-protocol.js';

const GUEST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/**
 * How long the command's stderr may stay open after it exited (a process it left behind holds it)
 * before its last lines are given up on: the exit marker must not wait for a stray.
 */
const STDERR_DRAIN_MS = 500;

/** Writes a whole line to the console now: a marker must not wait in a stream buffer. */
function say(line: string): void {
  writeSync(1, `${line}\n`);
}

function main(): void {
  const jobPath = process.argv[2];
  if (jobPath === undefined) throw new TypeError('usage: guest-main.js <job file>');
  const job = parseJobFile(readFileSync(jobPath, 'utf8'));
  // The job file has done its work; removing it now leaves nothing behind should the host die.
  rmSync(jobPath, { force: true });

  const [file, ...args] = job.argv as [string, ...string[]];
  say(readyLine(job.nonce, release()));
  const child = spawn(file, args, {
    cwd: job.cwd,
    env: { PATH: GUEST_PATH, HOME: '/root', TMPDIR: process.env.TMPDIR ?? '/tmp', ...job.env },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let partial = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) say(stderrLine(job.nonce, line));
  });
  const stderrEnded = once(child.stderr, 'end');
  child.on('error', (error: NodeJS.ErrnoException) => {
    say(`bondlab-guest: cannot run ${file}: ${error.message}`);
    // The shell's convention: 127 not found, 126 found but not runnable.
    say(exitLine(job.nonce, error.code === 'ENOENT' ? 127 : 126, undefined));
    process.exit(error.code === 'ENOENT' ? 127 : 126);
  });
  child.on('exit', (code, signal) => {
    const status = code ?? 128 + (signal === null ? 0 : constants.signals[signal]);
    void Promise.race([stderrEnded, new Promise((r) => setTimeout(r, STDERR_DRAIN_MS))]).then(
      () => {
        if (partial !== '') say(stderrLine(job.nonce, partial));
        say(exitLine(job.nonce, status, signal ?? undefined));
        process.exit(status);
      },
    );
  });
}

main();
