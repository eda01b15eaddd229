import { join } from 'node:path';
import tmp from 'tmp';
import { withRun } from '../lifecycle/run-context.js';
import { kernelLabel, parseKernelMatrix } from '../kernels/choice.js';
import { projectRoot } from '../kernels/guest-entry.js';
import { selectKernel } from '../kernels/select.js';
import { HOST_FACTS_ENV, hostFacts } from '../results/fingerprint.js';
import type { Io, OptionSpec, ParsedArgs } from './command.js';

export const KERNEL_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'kernel',
  description:
    'auto (default), host, uml, qemu[:VERSION|:/path/bzImage] or vagrant; comma-separated runs each',
};

/** The command's own arguments without `--kernel`, to hand to the CLI inside a guest. */
export function withoutKernelFlag(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const a = raw[i] as string;
    if (a === '--') {
      out.push(...raw.slice(i));
      break;
    }
    if (a === '--kernel') i++;
    else if (!a.startsWith('--kernel=')) out.push(a);
  }
  return out;
}

/**
 * Runs a command on each kernel that `--kernel` names: in this process when it is the host's,
 * otherwise in a guest kernel that runs this same CLI with `--kernel host` on the host's files.
 * The guest command's stdout and stderr come out on ours; results go through `shareDir` (a temporary folder when
 * none is given). Resolves with the worst exit status.
 */
export async function onKernels(
  command: string,
  args: ParsedArgs,
  io: Io,
  here: () => Promise<number>,
  options: {
    shareDir?: string;
    needsBonding?: boolean;
    /**
     * Called after a guest exits, before its shared folder goes: results the guest wrote into
     * `$BONDLAB_SHARE` (the host's tree is read-only in there) are moved where they belong.
     */
    collect?: (shareDir: string, kernel: string) => void;
  } = {},
): Promise<number> {
  const matrix = parseKernelMatrix(args.values.kernel as string | undefined);
  let worst = 0;
  for (const choice of matrix) {
    const target = await selectKernel(
      choice,
      options.needsBonding === undefined ? {} : { needsBonding: options.needsBonding },
    );
    // Inside a guest the host has said where this runs; "host" here would only confuse.
    if (process.env.BONDLAB_SHARE === undefined)
      io.err(`kernel: ${target.label} (${target.reason})`);
    let status: number;
    if (target.kind === 'host') {
      status = await here();
    } else {
      const argv = [
        process.execPath,
        join(projectRoot(), 'bin', 'bondlab.js'),
        command,
        ...withoutKernelFlag(args.raw),
        '--kernel',
        'host',
      ];
      status = await withRun(
        async (r) => {
          let shareDir = options.shareDir;
          if (shareDir === undefined) {
            const dir = tmp.dirSync({ prefix: `bondlab-${r.id}-`, unsafeCleanup: true });
            r.trackPath(dir.name);
            r.defer(`remove ${dir.name}`, () => {
              dir.removeCallback();
            });
            shareDir = dir.name;
          }
          const result = await target.guest.run(
            r,
            {
              argv,
              cwd: process.cwd(),
              shareDir,
              env: {
                // What ran, not what was asked: `auto` here means User-mode Linux.
                BONDLAB_KERNEL: choice.kind === 'auto' ? target.guest.kind : kernelLabel(choice),
                BONDLAB_SHARE: shareDir,
                // The machine's CPU and checkout, which a guest cannot see, for results.
                [HOST_FACTS_ENV]: JSON.stringify(await hostFacts()),
              },
            },
            {
              signal: r.signal,
              onOutput: (line, stream) => {
                if (stream === 'stderr') io.err(line);
                else io.out(line);
              },
            },
          );
          io.err(`kernel: ${target.label} (${result.kernelRelease}) exited ${result.exitCode}`);
          options.collect?.(shareDir, kernelLabel(choice));
          return result.exitCode;
        },
        { log: io.err, handleSignals: true },
      );
    }
    worst = Math.max(worst, status);
  }
  return worst;
}
