import { readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../../errors.js';
import { requireRoot } from '../../doctor/privilege.js';
import { withRun } from '../../lifecycle/run-context.js';
import { EXAMPLES } from '../../topology/examples.js';
import type { TopologySpec } from '../../topology/spec.js';
import { Topology } from '../../topology/topology.js';
import { expectInteger } from '../../topology/validate.js';
import type { Command } from '../command.js';
import { checkKernelOption } from '../kernel-option.js';
import { KERNEL_OPTION, onKernels } from '../on-kernels.js';
import { resolveTopology } from '../../topology/resolve.js';

const MAX_HOLD_S = 3600;
/** A topology of the largest allowed size takes well under this; more is not a topology. */
const MAX_FILE_BYTES = 1 << 20;

function loadSpec(source: string): unknown {
  const example = EXAMPLES[source];
  if (example !== undefined) return example.spec();
  if (!source.endsWith('.json')) {
    throw new InputError(
      'topology',
      source,
      `expected an example (${Object.keys(EXAMPLES).join(', ')}) or a .json file`,
    );
  }
  let text: string;
  try {
    // A FIFO or a device named *.json would block or never end: only a regular file is read.
    const stat = statSync(source);
    if (!stat.isFile()) {
      throw new InputError('topology', source, 'expected a regular .json file');
    }
    if (stat.size > MAX_FILE_BYTES) {
      throw new InputError(
        'topology',
        source,
        `expected a file of at most ${MAX_FILE_BYTES} bytes; it has ${stat.size}`,
      );
    }
    text = readFileSync(source, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('topology', source, `cannot read the file: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError('topology', source, `not valid JSON: ${(error as Error).message}`);
  }
}

export const up: Command = {
  name: 'up',
  summary: 'build a topology, show what the kernel made, hold it, then tear it down',
  usage: 'up <example|topology.json> [--hold SECONDS] [--json] [--kernel K]',
  description: [
    'Builds a topology to try by hand. Examples:',
    ...Object.entries(EXAMPLES).map(([n, e]) => `  ${n.padEnd(10)} ${e.describe}`),
    'or a JSON file with { hosts, switches, links, bonds } (see README). While it holds, use',
    '`ip netns exec <namespace> ...`; Ctrl-C tears it down early.',
  ].join('\n'),
  options: {
    hold: {
      type: 'string',
      valueName: 'seconds',
      description: `keep it this long before teardown (0-${MAX_HOLD_S}, default 0)`,
    },
    json: { type: 'boolean', description: 'print the kernel state as JSON' },
    kernel: KERNEL_OPTION,
  },
  allowPositionals: true,
  async run(args, io) {
    const { values, positionals } = args;
    const [source, ...extra] = positionals;
    if (source === undefined || extra.length > 0) {
      throw new InputError(
        'topology',
        positionals.join(' '),
        'expected exactly one example name or .json file',
      );
    }
    const holdS = expectInteger('--hold', values.hold ?? '0', 0, MAX_HOLD_S, 's');
    const raw = loadSpec(source);
    // Validated here, before any guest boots: bad input costs nothing and creates nothing.
    resolveTopology(raw);
    const spec = raw as TopologySpec;
    checkKernelOption(values.kernel);
    requireRoot('up', 'to build the topology in network namespaces');
    return onKernels('up', args, io, () =>
      withRun(
        async (r) => {
          const started = performance.now();
          const topo = await Topology.build(r, spec);
          io.err(`run ${r.id}: built and ready in ${Math.round(performance.now() - started)} ms`);
          const state = await topo.state();
          if (values.json === true) {
            io.out(
              JSON.stringify({ run: r.id, interfaces: topo.resolved.interfaces, state }, null, 2),
            );
          } else {
            for (const n of [
              ...topo.resolved.hosts,
              ...topo.resolved.switches.map((s) => s.name),
            ]) {
              io.out(`${n.padEnd(8)} namespace ${topo.netns(n)}`);
            }
            for (const i of topo.resolved.interfaces) {
              io.out(
                `  ${`${i.host}:${i.ifname}`.padEnd(16)} ${i.ipv4}/${i.prefix4}  ${i.ipv6}/${i.prefix6}`,
              );
            }
            for (const b of state.bonds) {
              io.out(
                `bond ${b.host}:${b.name}: mode ${b.sysfs.mode ?? '?'}, active ${b.sysfs.active_slave ?? 'none'}, slaves ${b.sysfs.slaves ?? ''}`,
              );
              for (const o of b.options)
                io.out(`  ${o.option} requested ${o.requested}, kernel ${o.actual ?? '(empty)'}`);
            }
          }
          if (holdS > 0) {
            io.err(`holding for ${holdS} s; Ctrl-C to tear down now`);
            await sleep(holdS * 1000, undefined, { signal: r.signal }).catch(() => undefined);
            // Ctrl-C ends the hold early, and the exit status says it was interrupted (130).
            r.throwIfAborted();
          }
          return 0;
        },
        { log: io.err, handleSignals: true },
      ),
    );
  },
};
