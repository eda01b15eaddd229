import { BondlabError, type ErrorCode } from '../errors.js';
import type { GuestKind } from './guest.js';

/** How a guest kernel's host process ended. */
export interface ProcessExit {
  code: number | undefined;
  signal: string | undefined;
}

/** Where a guest was when it failed. */
export type GuestPhase = 'boot' | 'command' | 'shutdown';

export interface GuestErrorDetails {
  kind: GuestKind;
  phase: GuestPhase;
  /** How the guest kernel's host process ended, if it did. */
  processExit: ProcessExit | undefined;
  /** The last console lines. */
  consoleTail: string[];
  durationMs: number;
}

/**
 * A guest that panicked, hung, timed out or died: says which guest, in which phase, how its host
 * process ended, and shows the last console lines, which usually hold the reason.
 */
export class GuestError extends BondlabError implements GuestErrorDetails {
  readonly kind: GuestKind;
  readonly phase: GuestPhase;
  readonly processExit: GuestErrorDetails['processExit'];
  readonly consoleTail: string[];
  readonly durationMs: number;

  constructor(
    code: Extract<ErrorCode, 'E_NOT_READY' | `E_COMMAND_${string}`>,
    summary: string,
    details: GuestErrorDetails,
    options: { hint?: string | undefined; cause?: unknown } = {},
  ) {
    super(code, formatMessage(summary, details), options);
    this.kind = details.kind;
    this.phase = details.phase;
    this.processExit = details.processExit;
    this.consoleTail = details.consoleTail;
    this.durationMs = details.durationMs;
  }
}

function formatMessage(summary: string, d: GuestErrorDetails): string {
  const exit = d.processExit;
  const how =
    exit === undefined
      ? ''
      : exit.signal === undefined
        ? `, exit status ${exit.code ?? 'unknown'}`
        : `, killed by ${exit.signal}`;
  const lines = [`${d.kind} guest: ${summary} (${d.phase}, ${Math.round(d.durationMs)} ms${how})`];
  if (d.consoleTail.length > 0) {
    lines.push('  last console lines:', ...d.consoleTail.map((l) => `  | ${l}`));
  }
  return lines.join('\n');
}
