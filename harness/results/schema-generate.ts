import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../project.js';
import { RUN_FILE_VERSION } from './run-file.js';
import { RUN_SCHEMA_ID, runSchemaPath } from './schema.js';

/*
 * results/run.schema.json is generated from the TypeScript types that write run.json (RunFile and
 * everything it holds, down to each measurement's raw results), so the two cannot drift apart
 * unnoticed: test/results/schema.test.ts regenerates it and fails when the committed file differs.
 * `npm run schema` rewrites it. Dev-only: ts-json-schema-generator is a dev dependency, imported
 * when this runs, never by bondlab itself.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Draft-07 output of the generator → draft 2020-12: `$defs`, and tuples as `prefixItems`. */
function toDraft2020(node: Json): Json {
  if (Array.isArray(node)) return node.map(toDraft2020);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'definitions') out.$defs = toDraft2020(value);
    else if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace('#/definitions/', '#/$defs/');
    } else if (key === 'items' && Array.isArray(value)) out.prefixItems = toDraft2020(value);
    else if (key === 'additionalItems') out.items = toDraft2020(value);
    else out[key] = toDraft2020(value);
  }
  return withDiscriminator(out);
}

/**
 * A union of objects told apart by one constant property (`kind` of a measurement's results)
 * becomes a `oneOf` with a `discriminator`: ajv then checks the branch the value names, and an
 * error in a throughput result says what is wrong there, not that it is no failover result.
 */
function withDiscriminator(node: Record<string, Json>): Record<string, Json> {
  const branches = node.anyOf;
  if (!Array.isArray(branches) || branches.length < 2) return node;
  const constOf = (b: Json, key: string): Json | undefined => {
    if (b === null || typeof b !== 'object' || Array.isArray(b)) return undefined;
    const props = b.properties;
    const required = b.required;
    if (props === null || typeof props !== 'object' || Array.isArray(props)) return undefined;
    if (!Array.isArray(required) || !required.includes(key)) return undefined;
    const p = props[key];
    return p !== null && typeof p === 'object' && !Array.isArray(p) ? p.const : undefined;
  };
  for (const key of ['kind', 'type']) {
    const values = branches.map((b) => constOf(b, key));
    if (values.every((v) => typeof v === 'string') && new Set(values).size === values.length) {
      const { anyOf: _anyOf, ...rest } = node;
      return { type: 'object', ...rest, oneOf: branches, discriminator: { propertyName: key } };
    }
  }
  return node;
}

type Defs = Record<string, Json>;

/** The `$defs` names a schema node refers to, directly or through its own nested schemas. */
function refsOf(node: Json, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) refsOf(n, into);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.add(value.replace('#/$defs/', ''));
      else refsOf(value, into);
    }
  }
  return into;
}

function reachable(defs: Defs, from: readonly string[], stopAt: string | undefined): Set<string> {
  const seen = new Set<string>();
  const queue = [...from];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name) || name === stopAt) continue;
    seen.add(name);
    queue.push(...refsOf(defs[name] ?? null));
  }
  return seen;
}

/** A schema with no `required` and no closed objects, at every depth (refs aside). */
function open(node: Json): Json {
  if (Array.isArray(node)) return node.map(open);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'required' || (key === 'additionalProperties' && value === false)) continue;
    out[key] = open(value);
  }
  return out;
}

/**
 * Each repetition's raw results (what measureFailover and measureThroughput return) are described
 * loosely: the fields they have are typed, but none is required and others may appear. Those
 * types grow with the measurement code; a run.json written before a field was added must stay
 * readable. Everything else (the run, its cases, metrics, samples, summaries, expectations,
 * bonds) is closed and required as the types say.
 */
function loosenRawResults(body: Record<string, Json>): Record<string, Json> {
  const defs = body.$defs as Defs;
  const measurement = defs.MeasurementResult;
  if (measurement === undefined) throw new Error('schema: no MeasurementResult in the types');
  const raw = reachable(defs, [...refsOf(measurement)], undefined);
  const core = reachable(defs, ['RunFile'], 'MeasurementResult');
  const loosened: Defs = {};
  for (const [name, def] of Object.entries(defs)) {
    loosened[name] = raw.has(name) && !core.has(name) ? open(def) : def;
  }
  return { ...body, $defs: loosened };
}

/** The run.json schema, fresh from the types (takes ~15 s: it compiles the project). */
export async function generateRunSchema(): Promise<Record<string, Json>> {
  const { createGenerator } = await import('ts-json-schema-generator');
  const root = projectRoot();
  const generated = createGenerator({
    path: join(root, 'harness', 'results', 'run-file.ts'),
    tsconfig: join(root, 'tsconfig.json'),
    type: 'RunFile',
    skipTypeCheck: true,
    // A function somewhere in a result type would be a bug (JSON cannot hold one): say so.
    functions: 'fail',
  }).createSchema('RunFile') as Json;
  const body = loosenRawResults(toDraft2020(generated) as Record<string, Json>);
  const { $schema: _draft7, ...rest } = body;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: RUN_SCHEMA_ID,
    title: `bondlab run.json, version ${RUN_FILE_VERSION}`,
    description:
      'One run of bondlab scenarios: status, selection, environment fingerprint, and per case the bond options requested and read back, every sample, the summaries, the expectations and the raw results of each repetition. Generated from harness/results/run-file.ts by `npm run schema`.',
    ...rest,
  };
}

/** `npm run schema`: rewrites results/run.schema.json. */
export async function writeRunSchema(): Promise<string> {
  const path = runSchemaPath();
  writeFileSync(path, `${JSON.stringify(await generateRunSchema(), null, 2)}\n`);
  return path;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${await writeRunSchema()}\n`);
}
