import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './project.js';

/** bondlab's version, from its package.json. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
