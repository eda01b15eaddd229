import type { CaseResult } from '../scenario/result.js';

/** The version of run.json this code writes. Readers accept this one (and migrate version 1). */
export const RUN_FILE_VERSION = 2;

/** Where and with what a run ran: what a comparison must check before it trusts two runs. */
export interface Fingerprint {
  kernel: {
    /** host, uml, qemu or vagrant. */
    kind: 'host' | 'uml' | 'qemu' | 'vagrant';
    /** The kernel as chosen, e.g. `qemu:6.1.0-53-amd64`, `uml`, `host`. */
    label: string;
    /** `uname -r` where the scenarios ran. */
    release: string;
  };
  cpu: { model: string; count: number };
  /** Program versions as each prints them (`undefined` when a program is missing). */
  versions: {
    bondlab: string;
    node: string;
    iproute2: string | undefined;
    iperf3: string | undefined;
  };
  /** The bondlab checkout: commit and whether it had uncommitted changes (undefined outside git). */
  git: { commit: string; dirty: boolean } | undefined;
  hostname: string;
}

/**
 * How the run ended: `complete` (every selected case ran; some may have failed their
 * expectations), `interrupted` (a signal stopped it), `error` (the harness itself failed).
 * `running` is what run.json says while the run goes on (it is rewritten after every case), so a
 * run killed outright (SIGKILL, power loss) leaves its finished cases and that word behind.
 */
export type RunStatus = 'running' | 'complete' | 'interrupted' | 'error';

/** `--shard i/n`: this run holds the i-th of n deterministic slices of the selection (1-based). */
export interface Shard {
  index: number;
  count: number;
}

/** One run.json: self-describing, versioned, described by results/run.schema.json. */
export interface RunFile {
  version: typeof RUN_FILE_VERSION;
  /** The folder's label: `<kernel label>-<release>`. */
  label: string;
  status: RunStatus;
  /** Why the run stopped early (status interrupted or error). */
  stopReason: string | undefined;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  repeat: number;
  /** What was asked for: scenario names or globs (empty: all), modes, shard. */
  selection: { patterns: string[]; modes: number[] | undefined; shard: Shard | undefined };
  /** Every case the selection planned, in order (those after an interruption did not run). */
  planned: string[];
  environment: Fingerprint;
  /** Set by `bondlab merge`: the runs this one was made of (their labels and shards). */
  mergedFrom: { label: string; startedAt: string; shard: Shard | undefined }[] | undefined;
  cases: CaseResult[];
}
