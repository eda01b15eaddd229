import type { TopologySpec } from '../topology/spec.js';

/** A parameter value a scenario can sweep over (a mode, an option, a rate). */
export type ParamValue = string | number | boolean;
export type Params = Readonly<Record<string, ParamValue>>;

/** Which fault a measurement injects, declared before any topology exists. */
export type FaultSpec =
  /** The far end of a slave's link goes down; `slave` defaults to the bond's active slave. */
  | { kind: 'carrier-loss'; host?: string; slave?: string }
  /** The bond-side slave set admin down. */
  | { kind: 'slave-down'; host?: string; slave?: string }
  /** A switch port disabled (bridge port state), carriers up. */
  | { kind: 'port-disabled'; switch: string; port: string }
  /** A silent failure beyond a switch: a port of the next switch disabled, carriers up. */
  | { kind: 'uplink-failure'; switch: string; port: string }
  /** LACPDUs stop crossing one switch port; data still flows. */
  | { kind: 'lacpdu-loss'; switch: string; port: string }
  /** A link end made slower, later or lossy (tbf; netem where the kernel has it). */
  | {
      kind: 'degrade';
      node: string;
      ifname: string;
      rateMbit?: number;
      delayMs?: number;
      jitterMs?: number;
      lossPercent?: number;
    };

/** One measurement of a case, run in order on the same topology. */
export type MeasurementSpec =
  | {
      kind: 'failover';
      /** Names its metrics: `<id>.<metric>`. Default "failover". */
      id?: string;
      fault: FaultSpec;
      /** The host whose bond is measured. Default "client". */
      host?: string;
      /** The host across the bond the probes go to. Default "server". */
      peer?: string;
      /** Probes per second each way. Default 1000. */
      rate?: number;
      beforeMs?: number;
      faultMs?: number;
      /** After the restore: failback. 0 keeps the fault to the end. */
      afterMs?: number;
    }
  | {
      kind: 'throughput';
      id?: string;
      from?: string;
      to?: string;
      flows?: number;
      protocol?: 'tcp' | 'udp';
      durationS?: number;
      omitS?: number;
      /** Record the bond's slaves' counters (how the traffic spread). Default true. */
      slaveCounters?: boolean;
    };

/** A bound on a metric, checked against every repetition (the worst one decides). */
export interface Expectation {
  /** `<measurement id>.<metric>`, e.g. `failover.detection` or `throughput.mbit`. */
  metric: string;
  op: '<=' | '>=' | '==';
  value: number;
  /** What it means, for the report: "mode 3 loses no probes". */
  says: string;
}

/** One concrete case of a scenario: its topology (bond options inside), what to measure, and the bounds. */
export interface ScenarioCase {
  topology: TopologySpec;
  measure: readonly MeasurementSpec[];
  expect?: readonly Expectation[];
}

/** What a scenario file default-exports (built with `defineScenario`). */
export interface Scenario {
  name: string;
  /** One line, for `bondlab list`. */
  summary: string;
  /** Values each parameter takes; every combination is a case. None: one case. */
  sweep: Readonly<Record<string, readonly ParamValue[]>>;
  /** Builds the case for one combination of the parameters. */
  build: (params: Params) => ScenarioCase;
}
