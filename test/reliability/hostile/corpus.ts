/**
 * The hostile-input corpus: malformed command-line arguments, topology files and scenario files,
 * each with the field its refusal must name. Data only; judge.ts runs it through the real CLI.
 */
import { CLI_INPUTS } from './corpus-cli.js';
import { SCENARIO_INPUTS } from './corpus-scenario.js';
import { TOPOLOGY_INPUTS } from './corpus-topology.js';
import type { HostileInput } from './input.js';

export type { HostileInput } from './input.js';

export const CORPUS: readonly HostileInput[] = [
  ...CLI_INPUTS,
  ...TOPOLOGY_INPUTS,
  ...SCENARIO_INPUTS,
];

const ids = CORPUS.map((c) => c.id);
const twice = ids.find((id, i) => ids.indexOf(id) !== i);
if (twice !== undefined) throw new Error(`hostile corpus: "${twice}" is listed twice`);
