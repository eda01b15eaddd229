/**
 * The build context as Docker sees it: the project's files less what .dockerignore excludes, so
 * that the chroot check's COPY takes exactly what `docker build` would send. The rules are those
 * of Docker's pattern matcher for the patterns this project uses (`*`, `?`, `**`, a leading `!`):
 * a path is excluded when the last pattern matching it, or one of its parent folders, is not a
 * `!` exception. Character classes and escapes are refused rather than half-supported.
 */
import { readFileSync } from 'node:fs';

interface Rule {
  regex: RegExp;
  negate: boolean;
  source: string;
}

function toRegex(pattern: string): RegExp {
  if (/[[\]\\]/.test(pattern)) {
    throw new Error(`.dockerignore: pattern not supported by the check: ${pattern}`);
  }
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` is any number of folders, also none; a trailing `**` is anything.
      if (pattern[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The rules of a .dockerignore file (none when it does not exist). */
export function readDockerignore(file: string): Rule[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const rules: Rule[] = [];
  for (const raw of text.split('\n')) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    // Docker cleans each pattern like a path: no leading or trailing slash, no ./ segments.
    line = line
      .replace(/^\/+/, '')
      .replace(/\/+$/, '')
      .replace(/^(\.\/)+/, '');
    rules.push({ regex: toRegex(line), negate, source: raw.trim() });
  }
  return rules;
}

/** Whether a context-relative path (no leading slash) is left out of the build context. */
export function isExcluded(rules: readonly Rule[], path: string): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let excluded = false;
  for (const rule of rules) {
    if (candidates.some((c) => rule.regex.test(c))) excluded = !rule.negate;
  }
  return excluded;
}

/**
 * Whether a folder's contents can be skipped whole: it is excluded and no `!` exception could
 * bring back anything below it.
 */
export function canSkipFolder(rules: readonly Rule[], path: string): boolean {
  return isExcluded(rules, path) && !rules.some((r) => r.negate);
}
