/**
 * Runs each hostile input through the real CLI, in a corner of its own, and says whether it was
 * rejected cleanly: exit 2, a message in the house form naming the field (and the value, and what
 * is allowed), no guest kernel chosen, and nothing created (private-run.ts lists what would be).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostileInput } from './input.js';
import { PrivateInstall } from './install.js';
import { makeCorner, runPrivately, type PrivateRun } from './private-run.js';

export interface Verdict {
  input: HostileInput;
  run: PrivateRun;
  /** The refusal as printed: stderr from its "bondlab: " line on. */
  message: string;
  /** Why it is not a clean rejection; empty when it is one. */
  problems: string[];
}

/** Whether `message` names `field`: as the house form starts, or quoted as node's parser does. */
function namesField(message: string, field: string): boolean {
  return (
    message.startsWith(`bondlab: ${field}: `) ||
    message.includes(`'${field}'`) ||
    message.includes(`'${field} <value>'`)
  );
}

export function judge(input: HostileInput, run: PrivateRun): Verdict {
  const at = run.stderr.search(/^bondlab: /m);
  const message = at === -1 ? '' : run.stderr.slice(at).trim();
  const problems: string[] = [];
  if (run.killedAtDeadline) problems.push('still running at the safety deadline, killed');
  if (run.code !== 2) problems.push(`exit ${run.code ?? run.signal ?? '?'}, not 2`);
  if (message === '') {
    problems.push('no "bondlab: " message');
  } else {
    if (!message.includes(' is not allowed; '))
      problems.push('not in the form "<field>: <value> is not allowed; <what is allowed>"');
    if (!namesField(message, input.field)) problems.push(`does not name ${input.field}`);
    if (input.value !== undefined && !message.includes(input.value))
      problems.push(`does not show the value ${input.value}`);
    if (!message.includes(input.allowed))
      problems.push(`does not say what is allowed ("${input.allowed}")`);
    if (/\n\s+at /.test(message)) problems.push('printed a stack trace');
  }
  // A kernel is chosen only on the way to a run: a refusal must come before.
  if (/^kernel: /m.test(run.stderr)) problems.push('chose a kernel first (a "kernel:" line)');
  problems.push(...run.leftovers.map((l) => `left ${l}`));
  return { input, run, message, problems };
}

/**
 * Runs hostile inputs, each in its own folders under one temp folder, with private installs of
 * the build (install.ts): one with the real catalog, and one per worker for scenario files.
 */
export class HostileRunner {
  readonly dir = mkdtempSync(join(tmpdir(), 'bondlab-hostile-'));
  readonly #installs = new Map<string, PrivateInstall>();
  #count = 0;

  #install(name: string): PrivateInstall {
    let install = this.#installs.get(name);
    if (install === undefined) {
      install = new PrivateInstall(join(this.dir, name));
      this.#installs.set(name, install);
    }
    return install;
  }

  /** Runs one input; `worker` names the install its scenario file (if any) may take over. */
  async run(input: HostileInput, worker = 0): Promise<Verdict> {
    const corner = makeCorner(this.dir, `input-${++this.#count}`);
    const file = join(corner.input, 'topology.json');
    if (typeof input.file === 'string') writeFileSync(file, input.file);
    else if (input.file?.kind === 'dir') mkdirSync(file);
    else if (input.file?.kind === 'fifo') spawnSync('mkfifo', [file]);
    let install = this.#install('install');
    if (input.scenario !== undefined) {
      install = this.#install(`install-${worker}`);
      install.setScenario(input.scenario);
    }
    const argv = input.argv.map((a) => a.replaceAll('{file}', file));
    const run = await runPrivately(corner, argv, { deadlineMs: 90_000, bin: install.bin });
    return judge(input, run);
  }

  /**
   * Runs every input and resolves with the verdicts in corpus order. Inputs expected to be refused
   * run `concurrency` at a time (each has its own folders; a leak shows in every overlapping
   * input's namespace check, never in none). Known gaps start real work, so they run last, alone.
   */
  async runAll(
    inputs: readonly HostileInput[],
    concurrency = 8,
    onVerdict: (v: Verdict) => void = () => undefined,
  ): Promise<Verdict[]> {
    const verdicts = new Map<HostileInput, Verdict>();
    const queue = inputs.filter((i) => i.gap === undefined);
    const worker = async (index: number): Promise<void> => {
      for (let input = queue.shift(); input !== undefined; input = queue.shift()) {
        const v = await this.run(input, index);
        verdicts.set(input, v);
        onVerdict(v);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
    for (const input of inputs.filter((i) => i.gap !== undefined)) {
      const v = await this.run(input);
      verdicts.set(input, v);
      onVerdict(v);
    }
    return inputs.map((i) => verdicts.get(i) as Verdict);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
