/**
 * What a scenario file may use: the helper that defines it, the standard topologies, and the
 * types. Scenarios import from here only.
 */
export { defineScenario } from './define.js';
export type {
  Expectation,
  FaultSpec,
  MeasurementSpec,
  ParamValue,
  Params,
  Scenario,
  ScenarioCase,
} from './types.js';
export {
  bondedPair,
  directPair,
  lacpPair,
  switchedPair,
  uplinkPair,
} from '../topology/examples.js';
export type { BondOptionsInput } from '../topology/bond-options.js';
export type { TopologySpec } from '../topology/spec.js';
export { shapeLinksOf } from './shape.js';
