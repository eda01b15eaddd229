import { BondlabError, type ErrorCode } from '../errors.js';

export interface CommandErrorDetails {
  argv: readonly string[];
  netns: string | undefined;
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * An external command that failed, timed out, was aborted or could not start. Carries the whole
 * story: argv, namespace, exit code, stderr and how long it ran.
 */
export class CommandError extends BondlabError implements CommandErrorDetails {
  readonly argv: readonly string[];
  readonly netns: string | undefined;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;

  constructor(
    code: Extract<ErrorCode, `E_COMMAND_${string}`>,
    summary: string,
    details: CommandErrorDetails,
    options: { hint?: string | undefined; cause?: unknown } = {},
  ) {
    super(code, formatMessage(summary, details), options);
    this.argv = details.argv;
    this.netns = details.netns;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stdout = details.stdout;
    this.stderr = details.stderr;
    this.durationMs = details.durationMs;
  }
}

function formatMessage(summary: string, d: CommandErrorDetails): string {
  const where = d.netns === undefined ? '' : ` in namespace ${d.netns}`;
  const lines = [`${summary}: ${quoteArgv(d.argv)}${where} (${Math.round(d.durationMs)} ms)`];
  const stderr = d.stderr.trim();
  if (stderr !== '')
    lines.push(
      ...stderr
        .split('\n')
        .slice(-8)
        .map((l) => `  | ${l}`),
    );
  return lines.join('\n');
}

/** Renders argv for humans, quoting only what needs it. Never used to run anything. */
export function quoteArgv(argv: readonly string[]): string {
  return argv
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`))
    .join(' ');
}
