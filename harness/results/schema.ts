import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { EnvironmentError, InputError } from '../errors.js';
import { projectRoot } from '../project.js';
import { RUN_FILE_VERSION, type RunFile } from './run-file.js';

/** The schema's `$id`: names the version it describes (a URN: nothing is fetched from it). */
export const RUN_SCHEMA_ID = `urn:bondlab:run-file:${RUN_FILE_VERSION}`;

/** Where the schema lives: results/run.schema.json, beside the runs it describes. */
export function runSchemaPath(): string {
  return join(projectRoot(), 'results', 'run.schema.json');
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled !== undefined) return compiled;
  const path = runSchemaPath();
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new EnvironmentError(`cannot read the run.json schema ${path}: ${(error as Error).message}`, {
      hint: 'it comes with bondlab; regenerate it with `npm run schema`',
    });
  }
  // Union types (a parameter is a string, number or boolean) are the schema's own words.
  const ajv = new Ajv2020({ allowUnionTypes: true, discriminator: true });
  compiled = ajv.compile(schema as object);
  return compiled;
}

/** `/cases/0/status` → `cases[0].status` (the way a reader of the file would point at it). */
export function jsonPath(pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '(the whole file)' : out;
}

function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

function list(values: unknown): string {
  return Array.isArray(values) ? values.map((v) => JSON.stringify(v)).join(', ') : String(values);
}

/** What the schema expected where it failed, in words. */
function expected(e: ErrorObject, data: unknown): { path: string; value: unknown; allowed: string } {
  const params = e.params as Record<string, unknown>;
  const value = valueAt(data, e.instancePath);
  switch (e.keyword) {
    case 'required':
      return {
        path: jsonPath(e.instancePath, String(params.missingProperty)),
        value: undefined,
        allowed: 'expected a value: the field is required',
      };
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      return {
        path: jsonPath(e.instancePath, name),
        value: (value as Record<string, unknown>)[name],
        allowed: `expected no field "${name}" here: run.json version ${RUN_FILE_VERSION} has none (written by a newer bondlab, or edited?)`,
      };
    }
    case 'type':
      return { path: jsonPath(e.instancePath), value, allowed: `expected ${String(params.type)}` };
    case 'enum':
      return {
        path: jsonPath(e.instancePath),
        value,
        allowed: `expected one of ${list(params.allowedValues)}`,
      };
    case 'const':
      return {
        path: jsonPath(e.instancePath),
        value,
        allowed: `expected ${JSON.stringify(params.allowedValue)}`,
      };
    case 'discriminator':
      return {
        path: jsonPath(e.instancePath, String(params.tag)),
        value: params.tagValue,
        allowed: `expected a known ${String(params.tag)} (${e.message ?? ''})`,
      };
    default:
      return { path: jsonPath(e.instancePath), value, allowed: `expected it to ${e.message ?? 'match'}` };
  }
}

/**
 * Checks parsed JSON against results/run.schema.json. Raises InputError naming the file, the
 * first failing path, the value found there and what the schema expected.
 */
export function validateRunFile(data: unknown, file: string): RunFile {
  const validate = validator();
  if (validate(data)) return data as RunFile;
  const errors = validate.errors ?? [];
  // A union's branches each report; the deepest error is the one that says what is wrong.
  const first = errors.reduce<ErrorObject | undefined>(
    (best, e) =>
      best === undefined || e.instancePath.split('/').length > best.instancePath.split('/').length
        ? e
        : best,
    undefined,
  );
  if (first === undefined) {
    throw new InputError(file, '(run.json)', 'expected a run.json that matches results/run.schema.json');
  }
  const { path, value, allowed } = expected(first, data);
  throw new InputError(`${file}: ${path}`, value, `${allowed} (results/run.schema.json)`);
}
