/**
 * Every error bondlab raises on purpose. Each has a stable `code` that tools can match on, an exit
 * status for the CLI (2 for bad input or a missing prerequisite, 1 for a failure while running),
 * and an optional `hint`: what the user can do about it.
 */
export type ErrorCode =
  | 'E_INPUT'
  | 'E_ENVIRONMENT'
  | 'E_KERNEL_UNSUPPORTED'
  | 'E_COMMAND_FAILED'
  | 'E_COMMAND_TIMEOUT'
  | 'E_COMMAND_ABORTED'
  | 'E_COMMAND_NOT_FOUND'
  | 'E_NOT_READY'
  | 'E_FAULT_FAILED'
  | 'E_IPERF3'
  | 'E_MEASUREMENT'
  | 'E_INTERRUPTED'
  | 'E_TEARDOWN';

export interface BondlabErrorOptions {
  hint?: string | undefined;
  cause?: unknown;
}

export class BondlabError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: BondlabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }

  /** The process exit status the CLI uses for this error. */
  get exitStatus(): number {
    return 1;
  }
}

/**
 * Input that cannot be accepted: names the field, the value and what is allowed. Raised before
 * anything is created.
 */
export class InputError extends BondlabError {
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;

  constructor(field: string, value: unknown, allowed: string, options: BondlabErrorOptions = {}) {
    super('E_INPUT', `${field}: ${describeValue(value)} is not allowed; ${allowed}`, options);
    this.field = field;
    this.value = value;
    this.allowed = allowed;
  }

  override get exitStatus(): number {
    return 2;
  }
}

/** A prerequisite of the machine is missing (not root, no iperf3, no bonding...). */
export class EnvironmentError extends BondlabError {
  constructor(message: string, options: BondlabErrorOptions = {}) {
    super('E_ENVIRONMENT', message, options);
  }

  override get exitStatus(): number {
    return 2;
  }
}

/** The running kernel (or its iproute2) does not support something the input asks for. */
export class KernelUnsupportedError extends BondlabError {
  readonly kernel: string;

  constructor(kernel: string, message: string, options: BondlabErrorOptions = {}) {
    super('E_KERNEL_UNSUPPORTED', `${message} (kernel ${kernel})`, options);
    this.kernel = kernel;
  }

  override get exitStatus(): number {
    return 2;
  }
}

/** Shows a value the way a user typed it: strings quoted, the rest as JSON. */
export function describeValue(value: unknown): string {
  // Long strings are cut: a 10,000-character name must not become a 10,000-character message.
  if (typeof value === 'string') {
    return value.length > 60
      ? `${JSON.stringify(value.slice(0, 60))}... (${value.length} characters)`
      : JSON.stringify(value);
  }
  if (value === undefined) return 'undefined';
  // JSON would print NaN and Infinity as null.
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  try {
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) return typeof value;
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return typeof value;
  }
}

/** One line for the terminal, with the hint, for any thrown value. */
export function formatError(error: unknown): string {
  if (error instanceof BondlabError) {
    return error.hint === undefined ? error.message : `${error.message}\n  hint: ${error.hint}`;
  }
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
