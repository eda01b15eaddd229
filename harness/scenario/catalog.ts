import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EnvironmentError, InputError } from '../errors.js';
import { projectRoot } from '../project.js';
import type { Scenario } from './types.js';

/**
 * Where the scenario files are: the build (`dist/scenarios/*.js`) when bondlab runs from its
 * build, the sources when it runs from them (tests, tsx).
 */
function scenarioFiles(): string[] {
  const fromSources = fileURLToPath(import.meta.url).endsWith('.ts');
  const dir = fromSources
    ? join(projectRoot(), 'scenarios')
    : join(projectRoot(), 'dist', 'scenarios');
  const ext = fromSources ? '.ts' : '.js';
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new EnvironmentError(`no scenarios at ${dir}`, { hint: 'run `npm run build`' });
  }
  return names
    .filter((n) => n.endsWith(ext) && !n.endsWith('.d.ts'))
    .sort()
    .map((n) => join(dir, n));
}

function isScenario(value: unknown): value is Scenario {
  const s = value as Partial<Scenario> | undefined;
  return (
    typeof s?.name === 'string' &&
    typeof s.summary === 'string' &&
    typeof s.build === 'function' &&
    typeof s.sweep === 'object'
  );
}

/** Every scenario of the catalog, by name. Raises if a file exports no scenario or names clash. */
export async function loadCatalog(): Promise<Scenario[]> {
  const scenarios: Scenario[] = [];
  for (const file of scenarioFiles()) {
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    const scenario = module.default;
    if (!isScenario(scenario)) {
      throw new InputError(
        'scenario file',
        file,
        'expected a default export made with defineScenario()',
      );
    }
    const clash = scenarios.find((s) => s.name === scenario.name);
    if (clash !== undefined)
      throw new InputError('scenario name', clash.name, `expected it once; ${file} repeats it`);
    scenarios.push(scenario);
  }
  return scenarios;
}

function globRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** The scenarios named or matched by `patterns` (globs with * and ?); all when none. */
export function selectScenarios(
  catalog: readonly Scenario[],
  patterns: readonly string[],
): Scenario[] {
  if (patterns.length === 0) return [...catalog];
  const selected = new Set<Scenario>();
  for (const p of patterns) {
    if (!/^[a-z0-9*?-]+$/.test(p)) {
      throw new InputError(
        'scenario',
        p,
        'expected a scenario name or a glob of lowercase letters, digits, -, * and ?',
      );
    }
    const re = globRegExp(p);
    const matched = catalog.filter((s) => re.test(s.name));
    if (matched.length === 0) {
      throw new InputError(
        'scenario',
        p,
        `matches no scenario; known: ${catalog.map((s) => s.name).join(', ')}`,
      );
    }
    for (const s of matched) selected.add(s);
  }
  return catalog.filter((s) => selected.has(s));
}
