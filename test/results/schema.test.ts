/**
 * results/run.schema.json: it is what the types generate today, a real run.json made by the CLI
 * (one short case in User-mode Linux) validates against it, and copies of that file broken in one
 * place each (a wrong type, a missing field, a bad enum, a stray field) are refused with a message
 * naming the file, the path and what was expected. Version 1 is refused, by name.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { InputError } from '../../harness/errors.js';
import { readRunFile } from '../../harness/results/load.js';
import { generateRunSchema } from '../../harness/results/schema-generate.js';
import { RUN_SCHEMA_ID, runSchemaPath } from '../../harness/results/schema.js';
import { cli, ensureBuilt, isolateState, leaks, snapshot } from '../fixtures/host.js';

ensureBuilt();
isolateState(t);
t.setTimeout(400_000);

void t.test('the committed schema is what the types generate (else: npm run schema)', async (t) => {
  const committed = JSON.parse(readFileSync(runSchemaPath(), 'utf8')) as Record<string, unknown>;
  t.equal(committed.$id, RUN_SCHEMA_ID, 'it has an $id naming the version');
  t.equal(committed.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const defs = committed.$defs as Record<string, { properties: Record<string, unknown> }>;
  t.same(defs.RunFile?.properties.version, { type: 'number', const: 2 }, 'version is a const');
  t.strictSame(committed, await generateRunSchema(), 'results/run.schema.json is up to date');
});

void t.test('a real run.json validates; broken copies do not', async (t) => {
  const before = snapshot();
  const out = mkdtempSync(join(tmpdir(), 'bondlab-schema-'));
  t.teardown(() => {
    rmSync(out, { recursive: true, force: true });
  });
  const res = await cli(t, ['run', 'seed-failover', '--kernel', 'uml', '--out', out]);
  t.ok(res.code === 0 || res.code === 1, 'the run ran (its verdict does not matter here)', {
    stderr: res.stderr,
  });
  const [folder] = readdirSync(out).filter((n) => /^\d{4}-/.test(n));
  t.ok(folder, 'a run folder');
  const path = join(out, folder ?? '', 'run.json');
  const run = readRunFile(path);
  t.equal(run.status, 'complete');
  t.equal(run.environment.kernel.kind, 'uml');
  t.equal(run.cases.length, 1);
  t.ok((run.cases[0]?.metrics.length ?? 0) > 0, 'with metrics');
  t.ok((run.cases[0]?.repetitions[0]?.length ?? 0) > 0, 'and raw results');
  t.same(leaks(before), { netns: [], links: [] });

  const original = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const broken = (name: string, change: (copy: Record<string, unknown>) => void): string => {
    const copy = structuredClone(original);
    change(copy);
    const file = join(out, `${name}.json`);
    writeFileSync(file, JSON.stringify(copy));
    return file;
  };
  const refused = (file: string, pattern: RegExp, what: string): void => {
    t.throws(() => readRunFile(file), InputError, what);
    try {
      readRunFile(file);
    } catch (error) {
      const message = (error as Error).message;
      t.match(message, file, `${what}: names the file`);
      t.match(message, pattern, `${what}: names the path and what was expected`);
    }
  };
  type Case = { status: unknown; metrics: { samples: unknown }[]; bonds: unknown[] };
  const firstCase = (copy: Record<string, unknown>): Case => (copy.cases as Case[])[0] as Case;

  refused(
    broken('wrong-type', (c) => {
      c.durationMs = 'fast';
    }),
    /durationMs: "fast" is not allowed; expected number/,
    'a wrong type',
  );
  refused(
    broken('missing', (c) => {
      delete (c.environment as Record<string, unknown>).cpu;
    }),
    /environment\.cpu: undefined is not allowed; expected a value: the field is required/,
    'a missing field',
  );
  refused(
    broken('bad-status', (c) => {
      c.status = 'finished';
    }),
    /status: "finished" is not allowed; expected one of "running", "complete", "interrupted", "error"/,
    'a bad run status',
  );
  refused(
    broken('bad-case-status', (c) => {
      firstCase(c).status = 'ok';
    }),
    /cases\[0\]\.status: "ok" is not allowed; expected one of "passed", "failed", "error", "interrupted"/,
    'a bad case status',
  );
  refused(
    broken('bad-sample', (c) => {
      const metric = firstCase(c).metrics[0];
      if (metric !== undefined) metric.samples = ['12 ms'];
    }),
    /cases\[0\]\.metrics\[0\]\.samples\[0\]: "12 ms" is not allowed; expected number/,
    'a sample that is no number',
  );
  refused(
    broken('bad-kind', (c) => {
      const reps = (c.cases as { repetitions: { kind: string }[][] }[])[0]?.repetitions;
      const first = reps?.[0]?.[0];
      if (first !== undefined) first.kind = 'latency';
    }),
    /cases\[0\]\.repetitions\[0\]\[0\]\.kind: "latency" is not allowed; expected a known kind/,
    'a measurement of an unknown kind',
  );
  refused(
    broken('stray', (c) => {
      c.colour = 'blue';
    }),
    /colour: "blue" is not allowed; expected no field "colour" here/,
    'a field version 2 does not have',
  );
  refused(
    broken('v1', (c) => {
      c.version = 1;
    }),
    /version: 1 is not allowed; expected run\.json version 2; version 1 .* run the scenarios again/,
    'version 1',
  );
  refused(
    broken('v3', (c) => {
      c.version = 3;
    }),
    /version: 3 is not allowed; expected run\.json version 2: this one was written by a newer bondlab/,
    'a newer version',
  );
});
