/**
 * Lints the Dockerfile (npm run lint:docker):
 * - dockerfile-utils, the validator behind the Docker language server that editors use: every
 *   diagnostic fails, warnings too (its own CLI exits 0 on warnings);
 * - docker/dockerfile.ts: the chroot check can read every step (it refuses what it cannot replay);
 * - shellcheck on each RUN step, as sh, when shellcheck is installed (Debian's `shellcheck`);
 *   hadolint does the same, but is in neither Debian 12 nor the npm registry as more than a
 *   downloader of its binary.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from 'dockerfile-utils';
import { parseDockerfile } from './dockerfile.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'Dockerfile');
const text = readFileSync(file, 'utf8');
let problems = 0;

for (const d of validate(text)) {
  problems++;
  const message = typeof d.message === 'string' ? d.message : d.message.value;
  console.log(`Dockerfile:${d.range.start.line + 1}: ${message}`);
}

const stages = parseDockerfile(text);
const runs = stages.flatMap((s) => s.steps).filter((s) => s.kind === 'RUN');
const shellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
if (shellcheck.error === undefined) {
  for (const step of runs) {
    const r = spawnSync('shellcheck', ['--shell=sh', '-'], {
      input: step.command,
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      problems++;
      console.log(`Dockerfile:${step.line}: shellcheck:\n${r.stdout}${r.stderr}`);
    }
  }
}

console.log(
  `Dockerfile: ${stages.length} stages, ${runs.length} RUN steps; dockerfile-utils and the check's reader: done; ` +
    `shellcheck: ${shellcheck.error === undefined ? 'done' : 'not installed, skipped (apt-get install shellcheck)'}; ` +
    `${problems} problem(s)`,
);
process.exitCode = problems === 0 ? 0 : 1;
