import { parseArgs } from 'node:util';
import { BondlabError, formatError, InputError } from '../errors.js';
import { version } from '../version.js';
import { commandHelp, type Command, type Io } from './command.js';
import { calibrate } from './commands/calibrate.js';
import { clean } from './commands/clean.js';
import { compare } from './commands/compare.js';
import { doctor } from './commands/doctor.js';
import { failover } from './commands/failover.js';
import { list } from './commands/list.js';
import { merge } from './commands/merge.js';
import { report } from './commands/report.js';
import { run } from './commands/run.js';
import { up } from './commands/up.js';

const COMMANDS: readonly Command[] = [
  doctor,
  list,
  run,
  up,
  failover,
  calibrate,
  clean,
  compare,
  merge,
  report,
];

export { version };

function mainHelp(): string {
  return [
    'Usage: bondlab <command> [options]',
    '',
    'Tests the Linux bonding driver for real: failover latency and throughput, per mode and kernel.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    "Run `bondlab <command> --help` for a command's options.",
    'Exit status: 0 ok, 1 failure, 2 bad input or missing prerequisite, 130/143 interrupted.',
  ].join('\n');
}

const defaultIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs the CLI with `argv` (without node and script); resolves with the exit status. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    io.out(topic === undefined ? mainHelp() : commandHelp(topic));
    return 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(version());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (command === undefined) {
      throw new InputError(
        'command',
        name,
        `expected one of ${COMMANDS.map((c) => c.name).join(', ')} (see bondlab --help)`,
      );
    }
    let parsed;
    try {
      const options = Object.fromEntries(
        Object.entries(command.options).map(([k, { description: _d, valueName: _v, ...o }]) => [
          k,
          o,
        ]),
      );
      parsed = parseArgs({
        args: [...rest],
        options: { ...options, help: { type: 'boolean', short: 'h' } },
        allowPositionals: command.allowPositionals ?? false,
        strict: true,
      });
    } catch (error) {
      throw new InputError(
        `bondlab ${command.name}`,
        rest.join(' '),
        `${(error as Error).message.replace(/\. To specify.*$/s, '')}; see bondlab ${command.name} --help`,
      );
    }
    if (parsed.values.help === true) {
      io.out(commandHelp(command));
      return 0;
    }
    return await command.run(
      { values: parsed.values, positionals: parsed.positionals, raw: [...rest] },
      io,
    );
  } catch (error) {
    io.err(`bondlab: ${formatError(error)}`);
    return error instanceof BondlabError ? error.exitStatus : 1;
  }
}
