/**
 * A Dockerfile reader for the few instructions bondlab's Dockerfile uses, so that the chroot check
 * (check-build.ts) and the lint (lint.ts) take the steps from the file itself and cannot drift
 * from it. Anything outside that small set (another instruction, a flag, a parser directive,
 * variable substitution where Docker would do it, wildcards in COPY) is an error naming the line:
 * a step the check would run differently from Docker must not pass silently.
 */

export type Step =
  | { kind: 'RUN'; line: number; command: string }
  | { kind: 'COPY'; line: number; from: string | undefined; sources: string[]; dest: string }
  | { kind: 'WORKDIR'; line: number; path: string }
  | { kind: 'ENV'; line: number; vars: [string, string][] }
  | { kind: 'VOLUME'; line: number; paths: string[] }
  | { kind: 'ENTRYPOINT' | 'CMD'; line: number; argv: string[] };

export interface Stage {
  /** The image or earlier stage it starts from. */
  from: string;
  /** Its `AS` name, if any. */
  name: string | undefined;
  line: number;
  steps: Step[];
}

export class DockerfileError extends Error {
  constructor(line: number, message: string) {
    super(`Dockerfile:${line}: ${message}`);
    this.name = 'DockerfileError';
  }
}

/** Logical lines: comments dropped, `\` continuations joined the way Docker joins them. */
function logicalLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let pending: { line: number; text: string } | undefined;
  const physical = text.split('\n');
  for (let i = 0; i < physical.length; i++) {
    const raw = (physical[i] ?? '').replace(/\r$/, '');
    const number = i + 1;
    const trimmed = raw.trim();
    // Parser directives (# syntax=, # escape=) change how the file is read: not supported.
    if (pending === undefined && out.length === 0 && /^#\s*(syntax|escape|check)\s*=/i.test(raw)) {
      throw new DockerfileError(number, `parser directive not supported by the check: ${trimmed}`);
    }
    // Comment lines, also inside a continuation, and blank lines are dropped.
    if (trimmed.startsWith('#') || trimmed === '') continue;
    const continued = /\\\s*$/.test(raw);
    const body = continued ? raw.replace(/\\\s*$/, '') : raw;
    if (pending === undefined) pending = { line: number, text: body };
    else pending.text += body;
    if (!continued) {
      out.push({ line: pending.line, text: pending.text.trim() });
      pending = undefined;
    }
  }
  if (pending !== undefined) {
    throw new DockerfileError(pending.line, 'the file ends inside a continued line');
  }
  return out;
}

/** A JSON exec form (`["a", "b"]`), or undefined when `args` is not one. */
function jsonArray(line: number, args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw new DockerfileError(line, `not a valid JSON array: ${args}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
    throw new DockerfileError(line, `expected a JSON array of strings: ${args}`);
  }
  return parsed;
}

/** Words of a plain argument list; quotes and variables are refused rather than guessed at. */
function plainWords(line: number, instruction: string, args: string): string[] {
  if (/["'$`]/.test(args)) {
    throw new DockerfileError(
      line,
      `${instruction}: quotes and $variables are not supported by the check: ${args}`,
    );
  }
  return args.split(/\s+/).filter((w) => w !== '');
}

function parseStep(line: number, instruction: string, args: string): Step {
  switch (instruction) {
    case 'RUN':
      if (args.startsWith('[') || args.startsWith('--')) {
        throw new DockerfileError(line, 'RUN: only the shell form without flags is supported');
      }
      return { kind: 'RUN', line, command: args };
    case 'COPY': {
      if (args.startsWith('[')) throw new DockerfileError(line, 'COPY: JSON form not supported');
      const words = plainWords(line, 'COPY', args);
      let from: string | undefined;
      while (words[0]?.startsWith('--')) {
        const flag = words.shift() as string;
        const m = /^--from=(\S+)$/.exec(flag);
        if (m === null) throw new DockerfileError(line, `COPY: flag not supported: ${flag}`);
        from = m[1];
      }
      const dest = words.pop();
      if (dest === undefined || words.length === 0) {
        throw new DockerfileError(line, 'COPY needs at least one source and a destination');
      }
      for (const s of words) {
        if (/[*?[]/.test(s)) throw new DockerfileError(line, `COPY: wildcards not supported: ${s}`);
      }
      if (words.length > 1 && !dest.endsWith('/')) {
        throw new DockerfileError(
          line,
          'COPY with several sources needs a destination ending in /',
        );
      }
      return { kind: 'COPY', line, from, sources: words, dest };
    }
    case 'WORKDIR': {
      const words = plainWords(line, 'WORKDIR', args);
      if (words.length !== 1) throw new DockerfileError(line, 'WORKDIR takes one path');
      return { kind: 'WORKDIR', line, path: words[0] as string };
    }
    case 'ENV': {
      const vars = plainWords(line, 'ENV', args).map((w): [string, string] => {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(w);
        if (m === null) throw new DockerfileError(line, `ENV: expected NAME=value, got ${w}`);
        return [m[1] as string, m[2] as string];
      });
      if (vars.length === 0) throw new DockerfileError(line, 'ENV needs NAME=value');
      return { kind: 'ENV', line, vars };
    }
    case 'VOLUME': {
      const paths = jsonArray(line, args) ?? plainWords(line, 'VOLUME', args);
      if (paths.length === 0 || !paths.every((p) => p.startsWith('/'))) {
        throw new DockerfileError(line, 'VOLUME takes absolute paths');
      }
      return { kind: 'VOLUME', line, paths };
    }
    case 'ENTRYPOINT':
    case 'CMD': {
      const argv = jsonArray(line, args);
      if (argv === undefined || argv.length === 0) {
        throw new DockerfileError(line, `${instruction}: only a non-empty exec form is supported`);
      }
      return { kind: instruction, line, argv };
    }
    default:
      throw new DockerfileError(line, `instruction not supported by the check: ${instruction}`);
  }
}

/** Reads a Dockerfile into its stages, each with its steps in order. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const { line, text: logical } of logicalLines(text)) {
    const m = /^(\S+)\s*(.*)$/s.exec(logical);
    const instruction = (m?.[1] ?? '').toUpperCase();
    const args = (m?.[2] ?? '').trim();
    if (instruction === 'FROM') {
      const words = plainWords(line, 'FROM', args);
      const [from, as, name] = words;
      const named = words.length === 3 && as?.toUpperCase() === 'AS';
      if (from === undefined || from.startsWith('--') || !(words.length === 1 || named)) {
        throw new DockerfileError(line, `FROM: expected "image [AS name]", got ${args}`);
      }
      stages.push({ from, name: named ? name : undefined, line, steps: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) throw new DockerfileError(line, `${instruction} before any FROM`);
    stage.steps.push(parseStep(line, instruction, args));
  }
  if (stages.length === 0) throw new DockerfileError(1, 'no FROM');
  return stages;
}
