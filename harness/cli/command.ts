import type { ParseArgsConfig } from 'node:util';

export interface Io {
  /** Results: stdout. */
  out: (line: string) => void;
  /** Progress and diagnostics: stderr. */
  err: (line: string) => void;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  description: string;
  valueName?: string;
};

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  /** The command's arguments as given, to pass on to a guest. */
  raw: string[];
}

/** One `bondlab` command: its help text and what it does. Returns the exit status. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  description?: string;
  options: Record<string, OptionSpec>;
  allowPositionals?: boolean;
  run: (args: ParsedArgs, io: Io) => Promise<number>;
}

const HELP_OPTION: OptionSpec = { type: 'boolean', description: 'show this help' };

/** `--help` text of a command. */
export function commandHelp(c: Command): string {
  const lines = [`Usage: bondlab ${c.usage}`, '', c.summary];
  if (c.description !== undefined) lines.push('', c.description);
  const opts = Object.entries({
    ...c.options,
    help: HELP_OPTION,
  });
  lines.push('', 'Options:');
  for (const [name, o] of opts) {
    const flag = `--${name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}`;
    lines.push(`  ${flag.padEnd(24)} ${o.description}`);
  }
  return lines.join('\n');
}
