import { release } from 'node:os';
import { InputError, KernelUnsupportedError } from '../errors.js';
import { Batch } from '../exec/batch.js';
import { CommandError } from '../exec/command-error.js';
import { shapingWords } from '../topology/plan.js';
import type { Topology } from '../topology/topology.js';
import { expectKnownKeys, expectRecord } from '../topology/validate.js';
import type { Fault, FaultStep } from './fault.js';
import { linkEnd } from './targets.js';

/** How a link end gets worse. At least one is needed. */
export interface DegradeOptions {
  /** Egress rate, 0.01 to 100000 Mbit/s. */
  rateMbit?: number;
  /** Added one-way delay, 0 to 10000 ms (µs precision). */
  delayMs?: number;
  /** Variation of the delay, 0 to 10000 ms; needs delayMs. netem reorders packets it jitters. */
  jitterMs?: number;
  /** Random loss, 0 to 100 %. */
  lossPercent?: number;
}

const KEYS = ['rateMbit', 'delayMs', 'jitterMs', 'lossPercent'] as const;
const LIMITS: Record<(typeof KEYS)[number], [number, number, string]> = {
  rateMbit: [0.01, 100_000, 'Mbit/s'],
  delayMs: [0, 10_000, 'ms'],
  jitterMs: [0, 10_000, 'ms'],
  lossPercent: [0, 100, '%'],
};

/**
 * A degraded link end: the egress of `node:ifname` slowed, delayed, jittered or lossy. A rate
 * alone is a tbf (as topology shaping is); delay, jitter or loss are netem, with the rate as
 * netem's own `rate`. netem holds 1000 packets by default: a delay at a high packet rate also
 * drops. Restore puts back the link end's declared shaping, or deletes the qdisc.
 *
 * Async because the kernel is asked first: the qdisc is tried on `lo` of the node's namespace
 * and removed, so a kernel without sch_netem (or sch_tbf) is a KernelUnsupportedError here,
 * before anything is injected. The options and the target are checked before that.
 */
export async function degrade(
  topology: Topology,
  node: string,
  ifname: string,
  options: DegradeOptions,
): Promise<Fault> {
  const o = checkOptions(options);
  const { link, side } = linkEnd(topology, node, ifname);
  const netem = o.delayMs !== undefined || o.jitterMs !== undefined || o.lossPercent !== undefined;
  const words = netem ? netemWords(o) : shapingWords({ kind: 'tbf', rateMbit: o.rateMbit ?? 0 });
  await requireQdisc(topology, node, words, netem ? 'delay, jitter or loss' : 'a rate');
  const declared = link.shape[side];
  const tc = (...w: (string | number)[]): FaultStep[] => [{ node, tool: 'tc', words: w }];
  const what = KEYS.filter((k) => o[k] !== undefined).map((k) => `${k} ${String(o[k])}`);
  return {
    kind: 'degrade',
    target: `${node}:${ifname}`,
    describe: `${node}:${ifname} degraded (${what.join(', ')}; ${String(words[0])})`,
    inject: tc('qdisc', 'replace', 'dev', ifname, 'root', ...words),
    restore:
      declared === undefined
        ? tc('qdisc', 'del', 'dev', ifname, 'root')
        : tc('qdisc', 'replace', 'dev', ifname, 'root', ...shapingWords(declared)),
  };
}

function checkOptions(options: DegradeOptions): DegradeOptions {
  const raw = expectRecord('degrade', options);
  expectKnownKeys('degrade', raw, KEYS);
  const out: DegradeOptions = {};
  for (const key of KEYS) {
    const v = raw[key];
    if (v === undefined) continue;
    const [min, max, unit] = LIMITS[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
      throw new InputError(`degrade.${key}`, v, `expected a number from ${min} to ${max} ${unit}`);
    out[key] = v;
  }
  if (KEYS.every((k) => out[k] === undefined))
    throw new InputError('degrade', options, `expected at least one of ${KEYS.join(', ')}`);
  if (out.jitterMs !== undefined && out.delayMs === undefined)
    throw new InputError('degrade.jitterMs', out.jitterMs, 'jitter needs delayMs as well');
  return out;
}

/** netem words; times in µs, the unit tc parses exactly. */
function netemWords(o: DegradeOptions): string[] {
  const us = (ms: number): string => `${Math.round(ms * 1000)}us`;
  const words = ['netem'];
  if (o.delayMs !== undefined)
    words.push('delay', us(o.delayMs), ...(o.jitterMs === undefined ? [] : [us(o.jitterMs)]));
  if (o.lossPercent !== undefined) words.push('loss', `${o.lossPercent}%`);
  if (o.rateMbit !== undefined) words.push('rate', `${o.rateMbit}mbit`);
  return words;
}

/**
 * Adds the qdisc to `lo` in the node's namespace and deletes it again, in one tc process; a kernel
 * without it answers "Specified qdisc kind is unknown" (the module autoloads where it exists).
 */
async function requireQdisc(
  topology: Topology,
  node: string,
  words: readonly string[],
  needs: string,
): Promise<void> {
  const kind = words[0] ?? '';
  const batch = new Batch('tc', topology.netns(node))
    .add('qdisc', 'add', 'dev', 'lo', 'root', ...words)
    .add('qdisc', 'del', 'dev', 'lo', 'root');
  try {
    await batch.commit({ signal: topology.run.signal });
  } catch (error) {
    if (error instanceof CommandError && /qdisc kind is unknown/i.test(error.stderr)) {
      throw new KernelUnsupportedError(
        release(),
        `this kernel has no ${kind} qdisc (sch_${kind}); degrading ${node} needs it for ${needs}`,
        {
          hint:
            kind === 'netem'
              ? 'use a kernel with sch_netem: --kernel uml has it; on a distribution kernel, `modprobe sch_netem` (Ubuntu: linux-modules-extra); a rate alone needs only tbf'
              : `use a kernel with sch_${kind}`,
          cause: error,
        },
      );
    }
    throw error;
  }
}
