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
  /**
   * The bondlab checkout: commit and whether it had uncommitted changes. Outside a git checkout
   * (an installed package, a container image) the commit BONDLAB_GIT_COMMIT names, marked
   * `stated` (nothing could check it or the tree); undefined when neither is there.
   */
  git: { commit: string; dirty: boolean; stated?: true } | undefined;
  hostname: string;
}

/**
 * How the run ended: `complete` (every selected case ran; some may have failed their
 * expectations), `interrupted` (not every planned case ran: a signal stopped it, or a merge lacked
 * some shards), `error` (the harness itself failed). `running` is what run.json says while the run
 * goes on (it is rewritten after every case), so a run killed outright (SIGKILL, power loss)
 * leaves its finished cases and that word behind: readers take it through `effectiveStatus`
 * (status.ts), which says `interrupted` once the writer is gone.
 */
export type RunStatus = 'running' | 'complete' | 'interrupted' | 'error';

/** `--shard i/n`: this run holds the i-th of n deterministic slices of the selection (1-based). */
export interface Shard {
  index: number;
  count: number;
}

/**
 * The process a `running` run.json waits on: the `bondlab run` on the machine (the host's, also
 * when a guest kernel runs the scenarios), named by host, pid and start time (clock ticks since
 * boot) so that a recycled pid is not taken for it.
 */
export interface Writer {
  hostname: string;
  pid: number;
  startTime: number;
}

/** One part of a merged run, as `bondlab merge` found it. */
export interface MergedPart {
  label: string;
  startedAt: string;
  shard: Shard | undefined;
  /** The part's status as read (a dead `running` counts as `interrupted`). */
  status?: RunStatus | undefined;
  stopReason?: string | undefined;
  /** The part's own environment: shards may run on machines with different CPUs. */
  environment?: Fingerprint | undefined;
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
  selection: {
    patterns: string[];
    modes: number[] | undefined;
    shard: Shard | undefined;
    /**
     * With a shard: every case of the whole selection, in order, before the split. `bondlab
     * merge` puts the shards' cases back in this order and names those no shard ran.
     */
    unsharded?: string[] | undefined;
  };
  /**
   * Every case this run planned, in order (those after an interruption did not run). A shard
   * plans its own slice; a merged run, the whole selection.
   */
  planned: string[];
  environment: Fingerprint;
  /** Who writes this file while it says `running` (absent once merged). */
  writer?: Writer | undefined;
  /** Set by `bondlab merge`: the runs this one was made of (their labels and shards). */
  mergedFrom: MergedPart[] | undefined;
  cases: CaseResult[];
}
