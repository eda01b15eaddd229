import { release } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../errors.js';
import { FaultInjector, type FaultEvent } from '../faults/fault.js';
import { portDisabled } from '../faults/port.js';
import type { RunContext } from '../lifecycle/run-context.js';
import type { TopologySpec } from '../topology/spec.js';
import { Topology } from '../topology/topology.js';
import { expectInteger } from '../topology/validate.js';
import { monotonicMs, toMicros } from './clock.js';
import { analyseProbe } from './probe-analysis.js';
import { ProbeStream, probeTickFor, validateProbeOptions, type ProbeOptions } from './probe.js';
import { summarize, type Summary } from './stats.js';
import { timerResolution, type TimerResolution } from './timer-resolution.js';

export const DEFAULT_OUTAGES_MS = [20, 50, 100, 200] as const;

export interface CalibrationOptions {
  /** Outage lengths to inject, ms. Default 20, 50, 100, 200. */
  outagesMs?: readonly number[];
  /** Injections of each length. Default 3. */
  repeat?: number;
  probe?: ProbeOptions;
  /** Quiet time after each outage, ms. Default 300. */
  settleMs?: number;
}

/** One injected outage and what the probe measured of it, each way. */
export interface CalibrationSample {
  requestedMs: number;
  /** Between the writes that disabled and re-enabled the port, on the monotonic clock. */
  injectedMs: number;
  measuredMs: { aToB: number | undefined; bToA: number | undefined };
  /** Measured minus injected. */
  errorMs: { aToB: number | undefined; bToA: number | undefined };
  /** Probes lost in the outage, both ways. */
  lost: number;
}

export interface CalibrationResult {
  kernelRelease: string;
  resolution: TimerResolution;
  rate: number;
  /** Mean send interval achieved, ms. */
  achievedIntervalMs: number;
  /** The target: max(2 ms, 2 probe intervals). */
  toleranceMs: number;
  samples: CalibrationSample[];
  /** Error (measured minus injected, both directions) per requested length. */
  errors: { requestedMs: number; error: Summary }[];
  worstAbsErrorMs: number;
  withinTolerance: boolean;
}

/**
 * Sleeps until the monotonic clock reaches `until`, never less: node's timers run on a loop clock
 * cached to the millisecond and may fire a fraction of one early. The last fraction is waited out.
 */
async function sleepUntil(until: number, signal: AbortSignal): Promise<void> {
  for (let rest = until - monotonicMs(); rest > 1; rest = until - monotonicMs()) {
    await sleep(rest - 0.5, undefined, { signal });
  }
  while (monotonicMs() < until) {
    // At most a millisecond: not worth a timer that could not be that precise.
  }
}

/**
 * The probe's own yardstick: a plain path, two hosts on a switch, no bond. The outage is a switch
 * port disabled then re-enabled: both directions stop at once and every carrier stays up, so
 * nothing but the injected silence is measured.
 */
export function calibrationTopology(): TopologySpec {
  return {
    hosts: { a: {}, b: {} },
    switches: { sw: {} },
    links: [
      { a: 'a:eth0', b: 'sw:p1' },
      { a: 'b:eth0', b: 'sw:p2' },
    ],
  };
}

/** Checks calibration options where they enter. */
export function validateCalibration(options: CalibrationOptions): {
  outagesMs: number[];
  repeat: number;
  settleMs: number;
  probe: Required<ProbeOptions>;
} {
  const outages = options.outagesMs ?? DEFAULT_OUTAGES_MS;
  if (!Array.isArray(outages) || outages.length === 0 || outages.length > 16) {
    throw new InputError('outages', outages, 'expected 1 to 16 lengths in ms');
  }
  return {
    outagesMs: outages.map((o, i) => expectInteger(`outages[${i}]`, o, 1, 5000, 'ms')),
    repeat: expectInteger('repeat', options.repeat ?? 3, 1, 100),
    settleMs: expectInteger('settleMs', options.settleMs ?? 300, 50, 10_000, 'ms'),
    probe: validateProbeOptions(options.probe ?? {}),
  };
}

/**
 * Injects outages of known lengths on a plain path while the probe runs, and compares what it
 * measured with what was injected. One probe stream and one topology serve every injection.
 */
export async function calibrate(
  run: RunContext,
  options: CalibrationOptions = {},
): Promise<CalibrationResult> {
  const checked = validateCalibration(options);
  const topology = await Topology.build(run, calibrationTopology());
  const resolution = await timerResolution();
  const fault = portDisabled(topology, 'sw', 'p2');
  const injector = await FaultInjector.start(run, topology, [fault]);
  const plan = Array.from({ length: checked.repeat }, () => checked.outagesMs).flat();
  const plannedMs = plan.reduce((sum, l) => sum + l + checked.settleMs, 0) + 2_000;
  const stream = await ProbeStream.start(run, topology, 'a', 'b', {
    ...checked.probe,
    tickMs: options.probe?.tickMs ?? probeTickFor(resolution),
    maxDurationMs: Math.min(checked.probe.maxDurationMs, plannedMs + 60_000),
  });
  const injections: { requestedMs: number; inject: FaultEvent; restore: FaultEvent }[] = [];
  try {
    await sleep(checked.settleMs, undefined, { signal: run.signal });
    for (const requestedMs of plan) {
      // A random phase against the probe schedule, so errors are not always rounded one way.
      await sleep(Math.random() * (1000 / checked.probe.rate), undefined, { signal: run.signal });
      const inject = injector.inject(fault);
      await sleepUntil(inject.atMs + requestedMs, run.signal);
      const restore = injector.restore(fault);
      injections.push({ requestedMs, inject, restore });
      run.log(`calibrate: ${requestedMs} ms outage injected`);
      await sleep(checked.settleMs, undefined, { signal: run.signal });
    }
  } catch (error) {
    await stream.abort();
    throw error;
  }
  const capture = await stream.stop(run.signal);
  await injector.close();

  const samples: CalibrationSample[] = injections.map((inj, i) => {
    const next = injections[i + 1];
    const result = analyseProbe(capture, {
      faultAtMs: inj.inject.atMs,
      ...(next === undefined ? {} : { untilMs: next.inject.atMs }),
    });
    const injectedMs = inj.restore.atMs - inj.inject.atMs;
    const measured = {
      aToB: result.aToB.outage?.outageMs,
      bToA: result.bToA.outage?.outageMs,
    };
    const error = (m: number | undefined): number | undefined =>
      m === undefined ? undefined : toMicros(m - injectedMs);
    return {
      requestedMs: inj.requestedMs,
      injectedMs: toMicros(injectedMs),
      measuredMs: measured,
      errorMs: { aToB: error(measured.aToB), bToA: error(measured.bToA) },
      lost: (result.aToB.outage?.lost ?? 0) + (result.bToA.outage?.lost ?? 0),
    };
  });
  const whole = analyseProbe(capture);
  const interval = Math.max(whole.aToB.intervalMs.mean, whole.bToA.intervalMs.mean);
  const toleranceMs = Math.max(2, 2 * interval);
  const allErrors = samples.flatMap((s) =>
    [s.errorMs.aToB, s.errorMs.bToA].map((e) => e ?? Number.POSITIVE_INFINITY),
  );
  const worst = Math.max(...allErrors.map(Math.abs));
  return {
    kernelRelease: release(),
    resolution,
    rate: capture.rate,
    achievedIntervalMs: toMicros(interval),
    toleranceMs: toMicros(toleranceMs),
    samples,
    errors: checked.outagesMs.map((requestedMs) => ({
      requestedMs,
      error: summarize(
        samples
          .filter((s) => s.requestedMs === requestedMs)
          .flatMap((s) => [s.errorMs.aToB, s.errorMs.bToA])
          .map((e) => e ?? Number.POSITIVE_INFINITY),
      ),
    })),
    worstAbsErrorMs: toMicros(worst),
    withinTolerance: worst <= toleranceMs,
  };
}
