import { InputError } from '../../errors.js';

/**
 * Quotes one word for a POSIX shell (sh, dash, bash): inside single quotes nothing is special, so
 * the word is wrapped in them and each `'` in it becomes `'\''` (close, an escaped quote, reopen).
 * Spaces, newlines, `$(...)`, backquotes, `;`, globs and any UTF-8 come through byte for byte.
 */
export function shQuote(word: string): string {
  if (word.includes('\0')) {
    throw new InputError('argv', word, 'a command-line word cannot contain a NUL byte');
  }
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * One command line that a POSIX shell splits back into exactly `argv`. `ssh` (and so
 * `vagrant ssh -- ...`) hands its command to the remote user's shell as one string: this is the
 * only safe way to pass argv through it.
 */
export function shCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('shCommand: argv is empty');
  return argv.map(shQuote).join(' ');
}
