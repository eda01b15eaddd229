import { bondedPair } from '../../../harness/topology/examples.js';

/** One malformed input, how to feed it to the real CLI, and what its refusal must say. */
export interface HostileInput {
  /** Unique and short: what is wrong with it. */
  id: string;
  /** bondlab's arguments; `{file}` stands for the input file's path. */
  argv: readonly string[];
  /** The file `{file}` names: its text, or a FIFO or a folder named like a topology. */
  file?: string | { kind: 'fifo' | 'dir' };
  /** The catalog's one scenario: a default export's expression, JavaScript as compiled. */
  scenario?: string;
  /** The field the message must name. */
  field: string;
  /** The value as the message must show it. */
  value?: string;
  /** What the message must say is allowed (a fragment of it). */
  allowed: string;
  /** Why it is not rejected cleanly yet and where the fix belongs: the test marks it todo. */
  gap?: string;
}

type Json = Record<string, unknown>;

/** The standard bonded pair as JSON text, its bond (bonds[0]) edited by `edit`. */
export function bondedJson(edit: (bond: Json) => Json): string {
  const spec = bondedPair() as unknown as Json & { bonds: Json[] };
  const bond = spec.bonds[0] as Json;
  return JSON.stringify({ ...spec, bonds: [edit(bond)] });
}

/** The bonded pair with these bond options (instead of active-backup, miimon 100). */
export function bondOptions(options: Json): string {
  return bondedJson((b) => ({ ...b, options }));
}

/** The bonded pair with `patch` over its top level. */
export function topologyWith(patch: Json): string {
  return JSON.stringify({ ...(bondedPair() as unknown as Json), ...patch });
}

/** Two hosts on one link, the link's ends or fields given. */
export function directWith(link: Json, hosts: Json = { a: {}, b: {} }): string {
  return JSON.stringify({ hosts, links: [{ a: 'a:eth0', b: 'b:eth0', ...link }] });
}
