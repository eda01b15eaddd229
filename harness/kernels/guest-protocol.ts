/**
 * What the host and the guest entry (guest-main.ts) say to each other. The job goes in as a JSON
 * file in the share folder; two marker lines come back on the console, tagged with a nonce that
 * only this run knows, so nothing the command prints can be taken for a marker. The console is one
 * stream, so each line the command writes to stderr comes tagged too, and the host puts it back
 * on its own stderr. The command's exit status also comes back as the guest kernel's own exit
 * status (UML: /proc/exitcode).
 */

/** The job file the host writes into the share folder; the guest entry deletes it once read. */
export interface GuestJobFile {
  version: 1;
  nonce: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

export type GuestMarker =
  | { kind: 'ready'; kernelRelease: string }
  | { kind: 'exit'; exitCode: number; signal: string | undefined };

const TAG = 'bondlab-guest';

/** The job file's name inside the share folder. */
export function jobFileName(nonce: string): string {
  return `.${TAG}-${nonce}.job.json`;
}

/** Printed by the guest entry just before it starts the command. */
export function readyLine(nonce: string, kernelRelease: string): string {
  return `${TAG} ${nonce} ready ${kernelRelease}`;
}

/** Printed by the guest entry once the command has ended. */
export function exitLine(nonce: string, exitCode: number, signal: string | undefined): string {
  return `${TAG} ${nonce} exit ${exitCode}${signal === undefined ? '' : ` ${signal}`}`;
}

/** How the guest entry passes on one line the command wrote to stderr. */
export function stderrLine(nonce: string, text: string): string {
  return `${TAG} ${nonce} err ${text}`;
}

/**
 * A stderr line for this nonce anywhere in a console line, with the text in front of it (stdout
 * output that did not end in a newline when the stderr line was written), else undefined.
 */
export function findStderrMarker(
  line: string,
  nonce: string,
): { before: string; text: string } | undefined {
  const tag = `${TAG} ${nonce} err `;
  const at = line.indexOf(tag);
  if (at < 0) return undefined;
  return { before: line.slice(0, at), text: line.slice(at + tag.length) };
}

/** The marker a console line carries for this nonce, else undefined. */
export function parseMarker(line: string, nonce: string): GuestMarker | undefined {
  const words = line.trim().split(' ');
  if (words[0] !== TAG || words[1] !== nonce) return undefined;
  if (words[2] === 'ready' && words[3] !== undefined) {
    return { kind: 'ready', kernelRelease: words[3] };
  }
  if (words[2] === 'exit' && /^\d+$/.test(words[3] ?? '')) {
    return { kind: 'exit', exitCode: Number(words[3]), signal: words[4] };
  }
  return undefined;
}

/**
 * The exit marker for this nonce anywhere in a console line, with the text in front of it: a
 * command whose output does not end in a newline (`printf x`) leaves that text on the marker's
 * line. The nonce is secret to the run, so the command cannot print a marker of its own.
 */
export function findExitMarker(
  line: string,
  nonce: string,
): { before: string; exitCode: number; signal: string | undefined } | undefined {
  const at = line.indexOf(`${TAG} ${nonce} exit `);
  if (at < 0) return undefined;
  const marker = parseMarker(line.slice(at), nonce);
  if (marker?.kind !== 'exit') return undefined;
  return { before: line.slice(0, at), exitCode: marker.exitCode, signal: marker.signal };
}

/** Reads a job file's text; raises a TypeError naming what is wrong. */
export function parseJobFile(text: string): GuestJobFile {
  const job = JSON.parse(text) as Partial<GuestJobFile>;
  const strings = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (job.version !== 1) throw new TypeError(`job file: unknown version ${String(job.version)}`);
  if (typeof job.nonce !== 'string') throw new TypeError('job file: nonce is missing');
  if (!strings(job.argv) || job.argv.length === 0)
    throw new TypeError('job file: argv must be a non-empty list of strings');
  if (typeof job.cwd !== 'string') throw new TypeError('job file: cwd is missing');
  if (typeof job.env !== 'object' || !strings(Object.values(job.env))) {
    throw new TypeError('job file: env must map names to strings');
  }
  return job as GuestJobFile;
}
