/**
 * Runs several tap test files in one process, in order: `tsx suite.ts a.test.ts b.test.ts`. Inside
 * User-mode Linux starting tsx takes 10-20 s, so the guest pays for it once, not once per file.
 * Their tests share tap's root, so the output is one TAP stream with one summary.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

for (const file of process.argv.slice(2)) {
  await import(pathToFileURL(resolve(file)).href);
}
